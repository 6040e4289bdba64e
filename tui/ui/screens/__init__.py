"""The app's screens: lookup (first), detail (one package), settings, and small modals."""
