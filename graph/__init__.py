"""From the report to a validated RDF dataset in an embedded Oxigraph store."""
