"""The SHACL shapes that check the graph (package data: ``dakg-shapes.ttl``)."""
