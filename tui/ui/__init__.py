"""The Textual app: the only layer that imports Textual (tests/test_layers.py holds it)."""
