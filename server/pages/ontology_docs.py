"""The ontology as documentation: ``/def/`` in HTML, and each term at ``/def/Term``.

The ontology is read from the store (the graph declaring ``<base def/>`` an ``owl:Ontology``,
as its RDF representations give it), the SHACL shapes from the package (those the build
validated with), and how often each term is used from the data. Each term is documented with
its labels and comments in each language kept apart, its place in the hierarchy, domain,
range, inverse and inverse labels, its alignments to external vocabularies, and the shapes
that constrain it: for a class those targeting it, for a property those whose path uses it.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from flask import render_template
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import OWL, RDF, RDFS, SH, XSD
from rdflib.term import Node

from dakg.graph import validate
from dakg.graph.rdf.dataset import rebase_graph, shapes_graph
from dakg.graph.rdf.namespaces import DAKG
from dakg.graph.stats import uses_query
from dakg.graph.validation_report import shape_count

from .. import formats
from ..queries import select
from ..runtime import Runtime
from .naming import Namer, text_lang
from .negotiation import DOWNLOADS
from .ontology import ontology_rdf
from .query_page import query_link
from .terms import prologue

DCTERMS = "http://purl.org/dc/terms/"
VANN = "http://purl.org/vocab/vann/"
# The kinds of term, in the order the documentation lists them.
KINDS = ((OWL.Class, "Classes", "class"), (OWL.ObjectProperty, "Object properties",
                                           "object property"),
         (OWL.DatatypeProperty, "Datatype properties", "datatype property"),
         (OWL.AnnotationProperty, "Annotation properties", "annotation property"),
         (RDFS.Datatype, "Datatypes", "datatype"))
CHARACTERISTICS = {OWL.SymmetricProperty: "symmetric", OWL.TransitiveProperty: "transitive",
                   OWL.FunctionalProperty: "functional",
                   OWL.InverseFunctionalProperty: "inverse functional"}
# SHACL terms that say what a shape applies to, or how it reports, rather than a constraint.
_NOT_CONSTRAINTS = {SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf,
                    SH.path, SH.message, SH.severity, SH.name, SH.description, SH.sparql,
                    SH.prefixes, SH.declare, SH.deactivated, SH.order, SH.group}
_TARGETS = ((SH.targetClass, "instances of"), (SH.targetNode, "the node"),
            (SH.targetSubjectsOf, "subjects of"), (SH.targetObjectsOf, "objects of"))


@dataclass(frozen=True)
class Texts:
    """A text in English and in Chinese, kept apart (either may be missing)."""

    en: str = ""
    zh: str = ""


@dataclass(frozen=True)
class Expr:
    """A class or datatype as the ontology gives it: one IRI, or a union (``or``) or an
    intersection (``and``) of IRIs, or a datatype narrowed by facets (``note``)."""

    iris: tuple[str, ...]
    joiner: str = ""
    note: str = ""


@dataclass(frozen=True)
class Constraint:
    name: str  # a prefixed name: sh:minCount
    value: str  # the value as Turtle writes it
    iri: str = ""  # the value, when it is an IRI (a class, a datatype) to link


@dataclass(frozen=True)
class ShapeDoc:
    iri: str
    label: Texts
    kind: str  # node shape | property shape
    targets: tuple[tuple[str, str], ...]  # (how, IRI): ("instances of", dakg:Document)
    path: str
    constraints: tuple[Constraint, ...]
    sparql: tuple[str, ...]
    severity: str
    message: Texts


@dataclass(frozen=True)
class TermDoc:
    iri: str
    anchor: str  # its name under the namespace: the fragment on /def/, the path /def/<anchor>
    kind: str
    label: Texts
    comment: Texts
    parents: tuple[Expr, ...]  # superclasses, superproperties, equivalent datatypes
    children: tuple[str, ...]
    domain: tuple[Expr, ...]
    range: tuple[Expr, ...]
    inverse: tuple[str, ...]
    inverse_label: Texts
    characteristics: tuple[str, ...]
    disjoint: tuple[str, ...]
    shapes: tuple[ShapeDoc, ...]
    uses: int | None


@dataclass(frozen=True)
class Section:
    """The terms of one kind: "Classes", one of them a "class"."""

    title: str
    one: str
    terms: tuple[TermDoc, ...]

    @property
    def anchor(self) -> str:
        return self.title.lower().replace(" ", "-")


@dataclass(frozen=True)
class OntologyDoc:
    iri: str
    title: Texts
    description: Texts
    version_iri: str
    version_info: str
    license: str
    creators: tuple[str, ...]
    created: str
    prefix: str
    namespace: str
    sections: tuple[Section, ...]
    external_inverses: tuple[tuple[str, Texts], ...]  # external properties' inverse labels
    shape_count: int

    def term(self, iri: str) -> TermDoc | None:
        return next((t for t in self.terms() if t.iri == iri), None)

    def terms(self) -> Iterator[TermDoc]:
        for section in self.sections:
            yield from section.terms


def ontology_doc(rt: Runtime) -> OntologyDoc | None:
    """The documentation of the served ontology, made once per data version; None if the
    dataset has no ontology at ``<base def/>``."""
    version = rt.dataset.current().version
    doc: OntologyDoc | None = rt.cache.get(("ontology-doc", version), lambda: _make(rt))
    return doc


def _make(rt: Runtime) -> OntologyDoc | None:
    reply = ontology_rdf(rt, formats.BY_NAME["ntriples"])
    if reply is None:
        return None
    graph = Graph().parse(data=reply.read(), format="nt")
    for prefix, namespace in rt.prefixes.items():  # facets written as prefixed names
        graph.bind(prefix, namespace, replace=True)
    return _Reader(graph, _shapes(rt.settings.base_iri), rt.settings.base_iri + "def/",
                   lambda iris: uses(rt, iris)).doc()


@functools.lru_cache(maxsize=4)
def _shapes(base_iri: str) -> Graph:
    """The package's shapes on ``base_iri`` (read once; not changed after)."""
    return rebase_graph(shapes_graph(), base_iri)


def uses(rt: Runtime, iris: list[str]) -> dict[str, int]:
    """How often each term is used in the data: instances of a class, triples of a property
    (as the build counted them, if it did)."""
    if not iris:
        return {}
    figures = rt.figures()
    if figures is not None and all(i in figures.uses for i in iris):
        return {i: figures.uses[i] for i in iris if figures.uses[i]}
    rows, _ = select(rt, prologue(rt) + uses_query(iris), len(iris))
    return {row["term"]["value"]: int(row["n"]["value"]) for row in rows}


class _Reader:
    """Reads one ontology graph (and the shapes) into its documentation."""

    def __init__(self, graph: Graph, shapes: Graph, namespace: str,
                 count: Callable[[list[str]], dict[str, int]]) -> None:
        self.g = graph
        self.shapes = shapes
        self.ns = namespace
        self.ontology = URIRef(namespace)
        self.count = count

    def doc(self) -> OntologyDoc:
        g, o = self.g, self.ontology
        found = [(kind, plural, name, sorted(self._own(kind), key=lambda t: str(t).casefold()))
                 for kind, plural, name in KINDS]
        counted = [str(t) for *_, terms in found for t in terms]
        counts = self.count(counted)
        sections = tuple(Section(plural, name, tuple(self._term(t, name, counts.get(str(t)))
                                                     for t in terms))
                         for _, plural, name, terms in found)
        return OntologyDoc(
            iri=str(o), title=texts(g, o, URIRef(DCTERMS + "title")),
            description=texts(g, o, URIRef(DCTERMS + "description")),
            version_iri=_str(g.value(o, OWL.versionIRI)),
            version_info=_str(g.value(o, OWL.versionInfo)),
            license=_str(g.value(o, URIRef(DCTERMS + "license"))),
            creators=tuple(sorted(str(c) for c in g.objects(o, URIRef(DCTERMS + "creator")))),
            created=_str(g.value(o, URIRef(DCTERMS + "created"))),
            prefix=_str(g.value(o, URIRef(VANN + "preferredNamespacePrefix"))),
            namespace=_str(g.value(o, URIRef(VANN + "preferredNamespaceUri"))) or self.ns,
            sections=sections, external_inverses=self._external_inverses(),
            shape_count=shape_count(self.shapes))

    def _own(self, kind: URIRef) -> list[URIRef]:
        return [t for t in self.g.subjects(RDF.type, kind) if isinstance(t, URIRef)
                and str(t).startswith(self.ns) and t != self.ontology]

    def _term(self, t: URIRef, kind: str, uses: int | None) -> TermDoc:
        g = self.g
        parents = [self._expr(p) for p in (*g.objects(t, RDFS.subClassOf),
                                           *g.objects(t, RDFS.subPropertyOf),
                                           *g.objects(t, OWL.equivalentClass))]
        children = sorted(str(c) for p in (RDFS.subClassOf, RDFS.subPropertyOf)
                          for c in g.subjects(p, t) if isinstance(c, URIRef))
        inverse = sorted({str(i) for i in (*g.objects(t, OWL.inverseOf),
                                           *g.subjects(OWL.inverseOf, t))})
        return TermDoc(
            iri=str(t), anchor=str(t)[len(self.ns):], kind=kind,
            label=texts(g, t, RDFS.label), comment=texts(g, t, RDFS.comment),
            parents=tuple(sorted(parents, key=lambda e: e.iris)), children=tuple(children),
            domain=tuple(self._expr(d) for d in g.objects(t, RDFS.domain)),
            range=tuple(self._expr(r) for r in g.objects(t, RDFS.range)),
            inverse=tuple(inverse), inverse_label=self._inverse_label(t, inverse),
            characteristics=tuple(sorted(name for c, name in CHARACTERISTICS.items()
                                         if (t, RDF.type, c) in g)),
            disjoint=self._disjoint(t), shapes=tuple(self._shapes_of(t)), uses=uses)

    def _inverse_label(self, t: URIRef, inverse: list[str]) -> Texts:
        """dakg:inverseLabel, else the inverse's label, else (symmetric) its own label."""
        own = texts(self.g, t, inverse_label_property(self.ns))
        if own.en or own.zh:
            return own
        if inverse:
            return texts(self.g, URIRef(inverse[0]), RDFS.label)
        if (t, RDF.type, OWL.SymmetricProperty) in self.g:
            return texts(self.g, t, RDFS.label)
        return Texts()

    def _disjoint(self, t: URIRef) -> tuple[str, ...]:
        found = {str(o) for o in (*self.g.objects(t, OWL.disjointWith),
                                  *self.g.subjects(OWL.disjointWith, t))}
        for group in self.g.subjects(RDF.type, OWL.AllDisjointClasses):
            members = _list(self.g, self.g.value(group, OWL.members))
            if t in members:
                found.update(str(m) for m in members if m != t)
        return tuple(sorted(found))

    def _expr(self, node: Node) -> Expr:
        g = self.g
        if isinstance(node, URIRef):
            return Expr((str(node),))
        for prop, joiner in ((OWL.unionOf, "or"), (OWL.intersectionOf, "and")):
            members = _list(g, g.value(node, prop))
            if members:
                return Expr(tuple(str(m) for m in members), joiner)
        base = g.value(node, OWL.onDatatype)
        if base is not None:
            facets = [f"{_curie(g, p)} {turtle(g, v)}"
                      for r in _list(g, g.value(node, OWL.withRestrictions))
                      for p, v in g.predicate_objects(r)]
            return Expr((str(base),), note=", ".join(sorted(facets)))
        return Expr((), note=turtle(g, node))

    def _shapes_of(self, t: URIRef) -> Iterator[ShapeDoc]:
        """The shapes that constrain ``t``: those targeting it (a class, or a property whose
        subjects or objects they take) and those whose path uses it."""
        for shape in sorted(self._by_term.get(t, ()), key=str):
            yield self._shape(shape)

    @functools.cached_property
    def _by_term(self) -> dict[Node, set[URIRef]]:
        """The (named) shapes by each term they target or whose path uses it."""
        found: dict[Node, set[URIRef]] = {}
        for p in (SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf):
            for shape, term in self.shapes.subject_objects(p):
                if isinstance(shape, URIRef):
                    found.setdefault(term, set()).add(shape)
        for shape, path in self.shapes.subject_objects(SH.path):
            if isinstance(shape, URIRef):
                for term in _path_iris(self.shapes, path):
                    found.setdefault(term, set()).add(shape)
        return found

    def _shape(self, shape: URIRef) -> ShapeDoc:
        s = self.shapes
        path = s.value(shape, SH.path)
        constraints = sorted(
            (Constraint(_curie(s, p), turtle(s, v), str(v) if isinstance(v, URIRef) else "")
             for p, v in s.predicate_objects(shape)
             if str(p).startswith(str(SH)) and p not in _NOT_CONSTRAINTS), key=_order)
        kind = "node shape" if (shape, RDF.type, SH.NodeShape) in s or path is None \
            else "property shape"
        return ShapeDoc(
            iri=str(shape), label=texts(s, shape, RDFS.label), kind=kind,
            targets=tuple((how, str(v)) for p, how in _TARGETS
                          for v in sorted(s.objects(shape, p), key=str)),
            path=path_text(s, path) if path is not None else "",
            constraints=tuple(constraints),
            sparql=tuple(str(q).strip() for c in s.objects(shape, SH.sparql)
                         for q in s.objects(c, SH.select)),
            severity=str(s.value(shape, SH.severity) or SH.Violation).rsplit("#", 1)[-1],
            message=texts(s, shape, SH.message))

    def _external_inverses(self) -> tuple[tuple[str, Texts], ...]:
        prop = inverse_label_property(self.ns)
        return tuple((str(t), texts(self.g, t, prop)) for t in sorted(
            {t for t in self.g.subjects(prop, None) if isinstance(t, URIRef)
             and not str(t).startswith(self.ns)}, key=str))


def inverse_label_property(namespace: str) -> URIRef:
    """``dakg:inverseLabel`` in the served namespace (the base may differ from the default)."""
    return URIRef(namespace + str(DAKG.inverseLabel)[len(str(DAKG)):])


# The order constraints are listed in: cardinality, then kinds of value, then the rest.
_FIRST = ("sh:minCount", "sh:maxCount", "sh:nodeKind", "sh:datatype", "sh:class", "sh:in",
          "sh:hasValue", "sh:pattern", "sh:minLength", "sh:maxLength", "sh:minInclusive")


def _order(c: Constraint) -> tuple[int, str, str]:
    return (_FIRST.index(c.name) if c.name in _FIRST else len(_FIRST), c.name, c.value)


def texts(g: Graph, node: Node, prop: URIRef) -> Texts:
    """The first value of ``prop`` in English and in Chinese; an untagged one is Chinese if it
    holds Chinese, else English (SHACL engines drop the tag of a message they fill in)."""
    found: dict[str, str] = {}
    for value in sorted(g.objects(node, prop), key=str):
        if isinstance(value, Literal):
            lang = (value.language or text_lang(str(value)) or "en").split("-")[0].lower()
            found.setdefault(lang, str(value))
    return Texts(found.get("en", ""), found.get("zh", ""))


def _str(node: Node | None) -> str:
    return "" if node is None else str(node)


def _list(g: Graph, node: Node | None) -> list[Node]:
    if node is None or (g.value(node, RDF.first) is None and node != RDF.nil):
        return []
    return list(Collection(g, node))


def _curie(g: Graph, iri: Node) -> str:
    if not isinstance(iri, URIRef):
        return str(iri)
    try:
        return g.namespace_manager.curie(iri, generate=False)
    except (KeyError, ValueError):
        return f"<{iri}>"


def turtle(g: Graph, node: Node, depth: int = 0) -> str:
    """A term as Turtle writes it, blank nodes and lists inline (a few levels deep)."""
    if isinstance(node, URIRef):
        return _curie(g, node)
    if isinstance(node, Literal):
        if node.datatype in (XSD.integer, XSD.boolean, XSD.decimal):
            return str(node)
        text = '"' + str(node).replace("\\", "\\\\").replace('"', '\\"') + '"'
        return text + (f"@{node.language}" if node.language else
                       f"^^{_curie(g, node.datatype)}" if node.datatype else "")
    if depth > 3:
        return "[ … ]"
    members = _list(g, node)
    if members:
        return "( " + " ".join(turtle(g, m, depth + 1) for m in members) + " )"
    pairs = sorted(f"{_curie(g, p)} {turtle(g, v, depth + 1)}"
                   for p, v in g.predicate_objects(node))
    return "[ " + " ; ".join(pairs) + " ]" if pairs else "[]"


def path_text(g: Graph, path: Node) -> str:
    """A SHACL property path as SPARQL writes it, its IRIs as the page names them."""
    return validate.path_text(g, path, lambda node: turtle(g, node))


def _path_iris(g: Graph, path: Node) -> set[Node]:
    """Every property a path uses, however nested."""
    if isinstance(path, URIRef):
        return {path}
    if not isinstance(path, BNode):
        return set()
    found: set[Node] = set()
    for _, value in g.predicate_objects(path):
        if value != RDF.nil:
            found |= _path_iris(g, value)
    return found


def ontology_page(rt: Runtime, iri: str) -> str | None:
    """The HTML of ``/def/`` (all terms) or of one term; None if ``iri`` is neither (then
    it is shown as any resource is)."""
    doc = ontology_doc(rt)
    if doc is None:
        return None
    term = doc.term(iri)
    if iri != doc.iri and term is None:
        return None
    anchors = {t.iri: t.anchor for t in doc.terms()}
    return render_template("ontology.html", doc=doc, term=term, anchors=anchors, n=Namer(rt),
                           downloads=DOWNLOADS, uses_link=uses_link)


def uses_link(term: TermDoc) -> str:
    """The query page asking for a term's uses: a class's instances, a property's triples."""
    if term.kind == "class":
        text = f"SELECT ?instance WHERE {{ ?instance a <{term.iri}> }} ORDER BY ?instance"
    else:
        text = f"SELECT ?subject ?value WHERE {{ ?subject <{term.iri}> ?value }} ORDER BY ?subject"
    return query_link(text)
