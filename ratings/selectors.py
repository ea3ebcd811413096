"""Read paths of the ratings app, the only way other apps (openData) read its tables."""
