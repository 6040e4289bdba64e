"""cypkg: look up Cylance Optics packages and watch their upload status."""

__version__ = "0.1.0"
