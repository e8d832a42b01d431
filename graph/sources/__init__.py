"""The vendored report texts and their manifests (package data)."""
