"""The SPARQL endpoint and linked-data pages over the store."""
