"""Models of this app arrive with its own issue; the foundation only registers the app."""
