"""The bottom layer: text made inert, private files, shared entry files. No Textual, no HTTP."""
