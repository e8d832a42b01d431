"""SHACL shapes compiled into SPARQL SELECT queries that return the violations.

Every constraint of a shape that has targets becomes one query whose solutions are its
results: ``?this`` the focus node, ``?value`` the value node (unbound where SHACL gives
none); a property shape's ``sh:minCount`` and ``sh:maxCount`` share one query that counts
the values. Shapes used inside others (``sh:or``, ``sh:xone``, ``sh:qualifiedValueShape``)
become a FILTER that tells whether a node conforms to them. The queries follow the
validators of SHACL §4 (core constraint components) and §5 (SPARQL-based constraints), as
pySHACL implements them; a constraint component that is not listed here (``_COMPONENTS``) is
refused when the shapes are compiled (``UnsupportedShapes``), never silently skipped.

The queries run on an Oxigraph store (``shacl_sparql``); compiling is done once per process.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import OWL, RDF, RDFS, SH, XSD
from rdflib.term import Node

from .errors import BuildError


class UnsupportedShapes(BuildError):
    """The shapes use something the SPARQL compilation does not implement."""


TARGETS = (SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf)
# What a shape may say besides its constraints: names, messages, severity, targets, path.
_NOT_CONSTRAINTS = {SH.message, SH.severity, SH.name, SH.description, SH.order, SH.group,
                    SH.path, SH.deactivated, SH.defaultValue, *TARGETS,
                    SH.qualifiedMinCount, SH.qualifiedMaxCount, SH.flags,
                    SH.qualifiedValueShapesDisjoint, SH.declare, SH.prefixes}
_SHAPE_TYPES = {SH.NodeShape, SH.PropertyShape}
# "SHACL instance" (§1.5) follows rdfs:subClassOf in the data. A property path per focus node
# and per value (rdf:type/rdfs:subClassOf*) costs more than all the rest, so a query says
# ``[[instance ?node <class>]]`` and each validation writes in the class and its subclasses,
# as the data it validates declares them (``instances``).
_INSTANCE = re.compile(r"\[\[instance (\S+) <([^>]*)>\]\]")


def instances(query: str, subclasses: Callable[[str], list[str]]) -> str:
    """``query`` with each ``[[instance ?node <class>]]`` written out, given the
    ``subclasses`` of a class (the class itself included)."""
    names = (f"?class_{n}" for n in itertools.count())

    def written(match: re.Match[str]) -> str:
        node, classes = match[1], subclasses(match[2])
        if len(classes) == 1:
            return f"{{ {node} {RDF.type.n3()} <{classes[0]}> }}"
        name = next(names)
        return (f"{{ {node} {RDF.type.n3()} {name} VALUES {name} {{ "
                + " ".join(f"<{c}>" for c in classes) + " } }")
    return _INSTANCE.sub(written, query)


# Datatypes whose lexical form SPARQL can check by casting (an ill-typed literal fails
# sh:datatype, SHACL §4.2.2).
_CASTABLE = {XSD.integer, XSD.decimal, XSD.double, XSD.float, XSD.boolean, XSD.date,
             XSD.dateTime}


@dataclass(frozen=True)
class Check:
    """One constraint of one shape, as a query for its violations."""

    shape: Node
    component: URIRef  # SHACL's name of the constraint component
    query: str  # SELECT ?this ?value (SPARQL constraints: the user's own query)
    severity: URIRef
    messages: tuple[Literal, ...]
    path: Node | None  # the shape's sh:path, as the shapes graph writes it
    sparql: Node | None = None  # the sh:SPARQLConstraint node, for SPARQL constraints
    targets: str = ""  # SPARQL constraints: a pattern binding ?this to each focus node
    counts: tuple[int | None, int | None] | None = None  # sh:minCount and sh:maxCount of a
    # property shape, checked by one query (SELECT ?this ?k: the number of values)

    def component_of(self, count: int) -> URIRef:
        """For a cardinality check: which of its constraints ``count`` values break."""
        assert self.counts is not None
        low = self.counts[0]
        return (SH.MinCountConstraintComponent if low is not None and count < low
                else SH.MaxCountConstraintComponent)


@dataclass(frozen=True)
class Compiled:
    checks: tuple[Check, ...]
    focus_query: str  # SELECT DISTINCT ?this: every node some shape targets
    shapes: Graph


def compile_shapes(shapes: Graph) -> Compiled:
    """The checks of every active shape of ``shapes`` that has targets."""
    if any(shapes.subjects(RDF.type, SH.ConstraintComponent)):
        raise UnsupportedShapes("the shapes declare their own constraint components "
                                "(sh:ConstraintComponent), which the SPARQL compilation does "
                                "not implement: validate with pySHACL")
    compiler = _Compiler(shapes)
    targeted = sorted({s for p in TARGETS for s in shapes.subjects(p, None)}, key=str)
    checks: list[Check] = []
    # Every pattern once: most shapes share their targets with others (a node shape and its
    # property shapes), and the focus query evaluated each pattern as often as it was written.
    patterns: dict[str, None] = {}
    for shape in targeted:
        checks.extend(compiler.checks(shape, compiler.targets(shape)))
        patterns.update(dict.fromkeys(compiler.target_branches(shape)))
    for cls in (RDFS.Class, OWL.Class):
        for shape in shapes.subjects(RDF.type, cls):
            if set(shapes.objects(shape, RDF.type)) & _SHAPE_TYPES:
                raise UnsupportedShapes(f"the shape {shape} is also a class (an implicit class "
                                        "target, SHACL §2.1.3.3), which the SPARQL "
                                        "compilation does not implement")
    focus = " UNION ".join(patterns) or "{ FILTER(false) }"
    return Compiled(tuple(checks), f"SELECT DISTINCT ?this WHERE {{ {focus} }}", shapes)


def _deactivated(shapes: Graph, shape: Node) -> bool:
    return shapes.value(shape, SH.deactivated) == Literal(True)


def term(node: Node) -> str:
    """``node`` as SPARQL writes it."""
    if isinstance(node, BNode):
        raise UnsupportedShapes(f"a blank node ({node}) where the shapes need an IRI or literal")
    return node.n3()


class _Compiler:
    def __init__(self, shapes: Graph) -> None:
        self.shapes = shapes
        self.fresh = (f"?v{n}" for n in itertools.count())

    def targets(self, shape: Node) -> str:
        """A pattern that binds ``?this`` to each focus node of ``shape`` (SHACL §2.1.3)."""
        return "{ " + " UNION ".join(self.target_branches(shape)) + " }"

    def target_branches(self, shape: Node) -> list[str]:
        """``targets``, one pattern per kind of target."""
        g = self.shapes
        branches = [_instance("?this", c) for c in g.objects(shape, SH.targetClass)]
        nodes = " ".join(term(n) for n in g.objects(shape, SH.targetNode))
        if nodes:
            branches.append(f"{{ VALUES ?this {{ {nodes} }} }}")
        branches += [f"{{ ?this {term(p)} [] }}" for p in g.objects(shape, SH.targetSubjectsOf)]
        branches += [f"{{ [] {term(p)} ?this }}" for p in g.objects(shape, SH.targetObjectsOf)]
        return branches

    def checks(self, shape: Node, targets: str) -> Iterator[Check]:
        g = self.shapes
        if _deactivated(g, shape):
            return
        severity = g.value(shape, SH.severity) or SH.Violation
        if not isinstance(severity, URIRef):
            raise UnsupportedShapes(f"the shape {shape} has a sh:severity that is not an IRI")
        messages = tuple(sorted((m for m in g.objects(shape, SH.message)
                                 if isinstance(m, Literal)), key=lambda m: (m.language or "", m)))
        if not messages:
            raise UnsupportedShapes(f"the shape {shape} has no sh:message: the SPARQL "
                                    "compilation gives each result the shape's messages and "
                                    "does not write SHACL's generic ones")
        path = g.value(shape, SH.path)
        for component, pattern in self.violations(shape, "?this", targets):
            query = f"SELECT DISTINCT ?this ?value WHERE {{ {pattern} }}"
            yield Check(shape, component, query, severity, messages, path)
        if path is not None:
            yield from self.cardinality(shape, targets, severity, messages, path)
        for constraint in g.objects(shape, SH.sparql):
            if _deactivated(g, constraint):
                continue
            yield Check(shape, SH.SPARQLConstraintComponent, self.sparql(shape, constraint),
                        severity, messages, path, constraint, targets)
        for nested in g.objects(shape, SH.property):  # reported as shapes of their own
            yield from self.checks(nested, targets)

    def cardinality(self, shape: Node, targets: str, severity: URIRef,
                    messages: tuple[Literal, ...], path: Node) -> Iterator[Check]:
        """sh:minCount and sh:maxCount of a property shape (SHACL §4.2.1-2) as one query:
        counting the values once costs half as much as testing each bound."""
        g = self.shapes
        low, high = g.value(shape, SH.minCount), g.value(shape, SH.maxCount)
        if low is None and high is None:
            return
        bounds = tuple(None if n is None else _integer(shape, n, name)
                       for n, name in ((low, "sh:minCount"), (high, "sh:maxCount")))
        tests = [f"?k < {bounds[0]}"] if bounds[0] else []
        tests += [f"?k > {bounds[1]}"] if bounds[1] is not None else []
        if not tests:
            return
        v = next(self.fresh)
        query = (f"SELECT ?this ?k WHERE {{ {{ SELECT ?this (COUNT(DISTINCT {v}) AS ?k) "
                 f"WHERE {{ {targets} OPTIONAL {{ ?this {self.path(path)} {v} }} }} "
                 f"GROUP BY ?this }} FILTER({' || '.join(tests)}) }}")
        yield Check(shape, SH.MinCountConstraintComponent, query, severity, messages, path,
                    counts=(bounds[0], bounds[1]))

    def sparql(self, shape: Node, constraint: Node) -> str:
        """The SELECT of a SPARQL-based constraint (SHACL §5) with its prefixes."""
        select = self.shapes.value(constraint, SH.select)
        if not isinstance(select, Literal):
            raise UnsupportedShapes(f"the SPARQL constraint of {shape} has no sh:select")
        text = str(select)
        for variable in ("currentShape", "shapesGraph", "PATH"):
            if re.search(rf"\$({variable})\b", text):
                raise UnsupportedShapes(f"the SPARQL constraint of {shape} uses ${variable}, "
                                        "which the SPARQL compilation does not pre-bind")
        prefixes = []
        for holder in self.shapes.objects(constraint, SH.prefixes):
            for declaration in self.shapes.objects(holder, SH.declare):
                prefix = self.shapes.value(declaration, SH.prefix)
                namespace = self.shapes.value(declaration, SH.namespace)
                prefixes.append(f"PREFIX {prefix}: <{namespace}>")
        return "\n".join([*prefixes, text])

    def violations(self, shape: Node, focus: str,
                   targets: str | None) -> Iterator[tuple[URIRef, str]]:
        """Each constraint of ``shape`` as (its component, a pattern whose solutions, for the
        focus node bound to ``focus``, bind ``?value`` to each offending value, or leave it
        unbound where SHACL reports none). ``targets`` (the pattern binding the focus node):
        the query's own results, where aggregates may be used; None: a test inside a FILTER."""
        top = targets is not None
        g = self.shapes
        unknown = {p for p in g.predicates(shape, None)
                   if str(p).startswith(str(SH)) and p not in _NOT_CONSTRAINTS
                   and p not in _COMPONENTS and p not in (SH.sparql, SH.property)}
        if unknown:
            names = ", ".join(sorted(p.n3(g.namespace_manager) for p in unknown))
            raise UnsupportedShapes(f"the shape {shape} uses {names}, which the SPARQL "
                                    "compilation does not implement: validate with pySHACL")
        if not top and (any(g.objects(shape, SH.sparql)) or (any(g.objects(shape, SH.property))
                        and g.value(shape, SH.path) is not None)):
            raise UnsupportedShapes(f"the shape {shape}, used inside another, has a SPARQL "
                                    "constraint or nested property shapes of its own")
        path = g.value(shape, SH.path)
        step = None if path is None else self.path(path)
        value = "?value" if top else next(self.fresh)
        values = (f"BIND({focus} AS {value})" if step is None
                  else f"{focus} {step} {value} .")
        for parameter, (component, build) in _COMPONENTS.items():
            if top and step is not None and parameter in (SH.minCount, SH.maxCount):
                continue  # one query for both (``cardinality``)
            for argument in g.objects(shape, parameter):
                pattern = build(_Context(self, shape, focus, value, values, step, top,
                                         targets or ""), argument)
                if pattern is not None:
                    yield component, pattern
        if not top:
            for nested in g.objects(shape, SH.property):
                for component, pattern in self.violations(nested, focus, None):
                    yield component, pattern

    def conforms(self, shape: Node, node: str) -> str:
        """A FILTER expression: the node bound to ``node`` conforms to ``shape`` (as every
        node does to a deactivated shape, SHACL §2.1.5)."""
        if _deactivated(self.shapes, shape):
            return "true"
        tests = [f"EXISTS {{ {pattern} }}" for _, pattern in
                 self.violations(shape, node, None)]
        return "!(" + " || ".join(tests) + ")" if tests else "true"

    def path(self, path: Node) -> str:
        """A SHACL property path (§2.3.1) as a SPARQL property path."""
        g = self.shapes
        if isinstance(path, URIRef):
            return term(path)
        if g.value(path, RDF.first) is not None:
            return "(" + "/".join(self.path(m) for m in Collection(g, path)) + ")"
        for modifier, mark in ((SH.inversePath, "^"), (SH.zeroOrMorePath, "*"),
                               (SH.oneOrMorePath, "+"), (SH.zeroOrOnePath, "?")):
            inner = g.value(path, modifier)
            if inner is not None:
                text = self.path(inner)
                return f"(^{text})" if mark == "^" else f"({text}{mark})"
        alternatives = g.value(path, SH.alternativePath)
        if alternatives is not None:
            return "(" + "|".join(self.path(m) for m in Collection(g, alternatives)) + ")"
        raise UnsupportedShapes(f"{path} is not a SHACL property path")

    def members(self, shape: Node, argument: Node) -> list[Node]:
        if argument != RDF.nil and self.shapes.value(argument, RDF.first) is None:
            raise UnsupportedShapes(f"the shape {shape} has a list that is not an RDF list")
        return list(Collection(self.shapes, argument))


@dataclass(frozen=True)
class _Context:
    """What a constraint's pattern is written from."""

    compiler: _Compiler
    shape: Node
    focus: str  # the variable bound to the focus node
    value: str  # the variable each value node is bound to
    values: str  # the pattern binding ``value`` to each value node of the focus node
    step: str | None  # the shape's path in SPARQL (None: a node shape)
    top: bool
    targets: str  # the pattern binding the focus node (top-level shapes only)

    def each(self, failing: str) -> str:
        """Each value node for which ``failing`` holds."""
        return self.where(f"{self.values} FILTER({failing})")

    def where(self, pattern: str) -> str:
        """``pattern`` for each focus node: SPARQL evaluates a group on its own, so a group
        of the query's results binds the focus node itself (a FILTER inside EXISTS sees the
        node already bound)."""
        return f"{{ {self.targets} {pattern} }}"

    def fresh(self) -> str:
        return next(self.compiler.fresh)

    def count(self, test: str, only: Callable[[str], str] | None = None) -> str:
        """A pattern that holds when the number of distinct values of the focus node (those
        ``only`` lets through: a FILTER expression on the value's variable) passes ``test``,
        written on ``?k``."""
        if not self.top:
            raise UnsupportedShapes(f"the shape {self.shape}, used inside another, counts "
                                    "values beyond 0 or 1 (or qualifies them)")
        v = self.fresh()
        values = (f"BIND({self.focus} AS {v})" if self.step is None
                  else f"{self.focus} {self.step} {v} .")
        where = f"FILTER({only(v)})" if only is not None else ""
        return (f"{{ SELECT {self.focus} (COUNT(DISTINCT {v}) AS ?k) WHERE {{ {self.targets} "
                f"OPTIONAL {{ {values} {where} }} }} GROUP BY {self.focus} }} FILTER({test})")


def _count_min(c: _Context, n: Node) -> str:
    count = _integer(c.shape, n, "sh:minCount")
    if count == 0:
        return "{ FILTER(false) }"
    if count == 1 and c.step is not None:
        return c.where(f"FILTER NOT EXISTS {{ {c.focus} {c.step} [] }}")
    return c.count(f"?k < {count}")


def _count_max(c: _Context, n: Node) -> str:
    count = _integer(c.shape, n, "sh:maxCount")
    if c.step is None:
        return "{ FILTER(false) }" if count >= 1 else c.where("")
    if count == 0:
        return c.where(f"FILTER EXISTS {{ {c.focus} {c.step} [] }}")
    if count == 1:
        a, b = c.fresh(), c.fresh()
        return c.where(f"FILTER EXISTS {{ {c.focus} {c.step} {a} , {b} . "
                       f"FILTER(!sameTerm({a}, {b})) }}")
    return c.count(f"?k > {count}")


def _integer(shape: Node, n: Node, name: str) -> int:
    if not isinstance(n, Literal) or not isinstance(n.value, int):
        raise UnsupportedShapes(f"the shape {shape} has a {name} that is not an integer")
    return n.value


def _instance(node: str, cls: Node) -> str:
    if not isinstance(cls, URIRef):
        raise UnsupportedShapes(f"a class that is not an IRI: {cls}")
    return f"[[instance {node} <{cls}>]]"


def _class(c: _Context, cls: Node) -> str:
    return c.each(f"NOT EXISTS {_instance(c.value, cls)}")


def _datatype(c: _Context, datatype: Node) -> str:
    test = f"isLiteral({c.value}) && sameTerm(DATATYPE({c.value}), {term(datatype)})"
    if datatype in _CASTABLE:
        test += f" && COALESCE(isLiteral({term(datatype)}(STR({c.value}))), false)"
    return c.each(f"!({test})")


_NODE_KINDS: dict[Node, str] = {
               SH.IRI: "isIRI({v})", SH.BlankNode: "isBlank({v})", SH.Literal: "isLiteral({v})",
               SH.BlankNodeOrIRI: "!isLiteral({v})", SH.BlankNodeOrLiteral: "!isIRI({v})",
               SH.IRIOrLiteral: "!isBlank({v})"}


def _node_kind(c: _Context, kind: Node) -> str:
    test = _NODE_KINDS.get(kind)
    if test is None:
        raise UnsupportedShapes(f"the shape {c.shape} has an unknown sh:nodeKind {kind}")
    return c.each("!" + test.format(v=c.value))


def _min_inclusive(c: _Context, bound: Node) -> str:
    return c.each(f"!COALESCE({c.value} >= {term(bound)}, false)")


def _language_in(c: _Context, languages: Node) -> str:
    tests = [f"langMatches(LANG({c.value}), {term(lang)})"
             for lang in c.compiler.members(c.shape, languages)]
    return c.each(f"!COALESCE(isLiteral({c.value}) && ({' || '.join(tests) or 'false'}), false)")


def _pattern(c: _Context, pattern: Node) -> str:
    flags = c.compiler.shapes.value(c.shape, SH.flags)
    regex = f"REGEX(STR({c.value}), {term(Literal(str(pattern)))}" + (
        f", {term(Literal(str(flags)))})" if flags is not None else ")")
    return c.each(f"isBlank({c.value}) || !{regex}")


def _min_length(c: _Context, n: Node) -> str:
    return c.each(f"isBlank({c.value}) || STRLEN(STR({c.value})) < "
                  f"{_integer(c.shape, n, 'sh:minLength')}")


def _in(c: _Context, members: Node) -> str:
    tests = [f"sameTerm({c.value}, {term(m)})" for m in c.compiler.members(c.shape, members)]
    return c.each(f"!({' || '.join(tests) or 'false'})")


def _has_value(c: _Context, node: Node) -> str:
    if c.step is None:
        return c.where(f"FILTER(!sameTerm({c.focus}, {term(node)}))")
    return c.where(f"FILTER NOT EXISTS {{ {c.focus} {c.step} {term(node)} }}")


def _equals(c: _Context, other: Node) -> str:
    p = term(other)
    missing = (f"FILTER(!sameTerm({c.value}, {c.focus}))" if c.step is None
               else f"FILTER NOT EXISTS {{ {c.focus} {c.step} {c.value} }}")
    return (c.each(f"NOT EXISTS {{ {c.focus} {p} {c.value} }}") + " UNION "
            + c.where(f"{c.focus} {p} {c.value} . {missing}"))


def _unique_lang(c: _Context, flag: Node) -> str | None:
    if flag != Literal(True):
        return None
    if c.step is None:
        return "{ FILTER(false) }"
    a, b = c.fresh(), c.fresh()
    if not c.top:
        return c.where(f"FILTER EXISTS {{ {c.focus} {c.step} {a} , {b} . "
                       f"FILTER(!sameTerm({a}, {b}) && LANG({a}) != \"\" "
                       f"&& LCASE(LANG({a})) = LCASE(LANG({b}))) }}")
    # One result per language used twice, as pySHACL reports it.
    return (f"{{ SELECT DISTINCT {c.focus} (LCASE(LANG({a})) AS ?lang) WHERE {{ {c.targets} "
            f"{c.focus} {c.step} {a} , {b} . FILTER(!sameTerm({a}, {b}) && LANG({a}) != \"\" "
            f"&& LCASE(LANG({a})) = LCASE(LANG({b}))) }} }}")


def _qualified(c: _Context, qualifier: Node) -> str:
    g = c.compiler.shapes
    if g.value(c.shape, SH.qualifiedValueShapesDisjoint) == Literal(True):
        raise UnsupportedShapes(f"the shape {c.shape} uses sh:qualifiedValueShapesDisjoint, "
                                "which the SPARQL compilation does not implement")
    low, high = g.value(c.shape, SH.qualifiedMinCount), g.value(c.shape, SH.qualifiedMaxCount)
    tests = []
    if low is not None:
        tests.append(f"?k < {_integer(c.shape, low, 'sh:qualifiedMinCount')}")
    if high is not None:
        tests.append(f"?k > {_integer(c.shape, high, 'sh:qualifiedMaxCount')}")
    if not tests:
        return "{ FILTER(false) }"
    return c.count(" || ".join(tests), lambda v: c.compiler.conforms(qualifier, v))


def _or(c: _Context, members: Node) -> str:
    tests = [c.compiler.conforms(s, c.value) for s in c.compiler.members(c.shape, members)]
    return c.each(f"!({' || '.join(tests) or 'false'})")


def _xone(c: _Context, members: Node) -> str:
    tests = [f"IF({c.compiler.conforms(s, c.value)}, 1, 0)"
             for s in c.compiler.members(c.shape, members)]
    return c.each(f"({' + '.join(tests) or '0'}) != 1")


_Build = Callable[[_Context, Node], "str | None"]
_COMPONENTS: dict[URIRef, tuple[URIRef, _Build]] = {
    SH.minCount: (SH.MinCountConstraintComponent, _count_min),
    SH.maxCount: (SH.MaxCountConstraintComponent, _count_max),
    SH["class"]: (SH.ClassConstraintComponent, _class),
    SH.datatype: (SH.DatatypeConstraintComponent, _datatype),
    SH.nodeKind: (SH.NodeKindConstraintComponent, _node_kind),
    SH.minInclusive: (SH.MinInclusiveConstraintComponent, _min_inclusive),
    SH.languageIn: (SH.LanguageInConstraintComponent, _language_in),
    SH.pattern: (SH.PatternConstraintComponent, _pattern),
    SH.minLength: (SH.MinLengthConstraintComponent, _min_length),
    SH["in"]: (SH.InConstraintComponent, _in),
    SH.hasValue: (SH.HasValueConstraintComponent, _has_value),
    SH.equals: (SH.EqualsConstraintComponent, _equals),
    SH.uniqueLang: (SH.UniqueLangConstraintComponent, _unique_lang),
    SH.qualifiedValueShape: (SH.QualifiedMinCountConstraintComponent, _qualified),
    SH["or"]: (SH.OrConstraintComponent, _or),
    SH.xone: (SH.XoneConstraintComponent, _xone),
}
