"""The dakg OWL 2 ontology (package data: ``dakg.ttl``)."""
