"""sitmap: a browser situation map."""
