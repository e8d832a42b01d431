"""Records → RDF: namespaces, IRIs and the mapping of each kind of record."""
