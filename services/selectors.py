"""Read paths of this app, the only way other apps and openData read its tables."""
