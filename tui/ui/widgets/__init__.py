"""Widgets shared by the screens. Every server string they show arrives already inert."""
