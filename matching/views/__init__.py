"""Page views of the matching app, one module per sub-domain; each brings its own patterns."""
