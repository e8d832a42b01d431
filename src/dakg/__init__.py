"""dakg: the Development Agenda Knowledge Graph.

Layers, each importable and testable alone:

* ``dakg.graph.extract``: report text → plain records (``dakg.graph.records``);
* ``dakg.graph.rdf``: records → RDF;
* ``dakg.graph.store`` / ``dakg.graph.build``: validated RDF → on-disk Oxigraph store and dumps;
* ``dakg.server``: the store → the web.
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("dakg")
except PackageNotFoundError:  # running from a checkout that was never installed
    __version__ = "0+unknown"
