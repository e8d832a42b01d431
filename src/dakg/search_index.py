"""The search index: every label, symbol, notation and text of the dataset in one SQLite file
(stdlib), made once per data version and read by every search after. ``dakg build`` makes it
beside the store it builds (``BUILD_FILE``); a server makes one for data no build indexed (a
live copy after writes, ``--data`` files, a remote store) on first use.

It is written from two streams, the types of resources and their texts (``write``), staged
in SQLite on disk and joined there, so that making it holds no more of the dataset in memory
than a row, whatever the length of the series.

Pages name what they show from it (``SearchIndex.about``): the labels, titles, symbols, types
and the start of the text of every IRI in one table, read by one lookup, however large the
store; the fragments of the dataset's own resources (``…/id/…#span``) are left out
(``fragment``), and pages ask the store for those.

Texts are kept twice: as the store has them (for snippets) and folded (``fold``: NFKC, case
folded, every run of punctuation or spaces one space), so that ``CDIP/16/4 REV``,
``cdip 16/4`` and ``CDIP/16/4 Rev.`` meet as ``cdip 16 4 rev``. The folded texts are in an
FTS5 table with the trigram tokenizer, which answers ``LIKE '%…%'`` from its index for three
characters or more; shorter queries (``25``, ``建议``) scan the table, a few thousand rows at
the scale of a report series. A match of a query that begins (ends) with a letter or digit of
the Latin script must begin (end) at a word boundary, so that ``25`` finds recommendation 25 and
not 125 or CDIP/25/5's neighbours; Chinese has no word boundaries and matches anywhere.
"""

from __future__ import annotations

import functools
import json
import os
import re
import sqlite3
import tempfile
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

import pyoxigraph as ox

# Part of the file name: a new layout, or a new choice of what is indexed (2: mentions and
# selectors left out; 4: the ``about`` table), makes a new file rather than reusing an index
# made by older code.
SCHEMA_VERSION = "4"
BUILD_FILE = f"search-{SCHEMA_VERSION}.sqlite"  # in a build's folder, beside its store
# Which fields a row comes from, best first: a match in a label ranks above one in a text.
FIELDS = ("notation", "label", "symbol", "altLabel", "text")
# Fields kept apart for pages, searched as another: a title names what has no label, a
# recommendation's text is no text part's start.
SEARCHED_AS = {"title": "label", "recommendationText": "text"}
# What ``about`` keeps of a resource: the fields that name it, its types, and the start of
# its ``dakg:text``, as much as a page shows beside a link to it.
ABOUT_FIELDS = ("label", "title", "symbol", "text")
TEXT_START = 60
SNIPPET_CONTEXT = 36  # characters of a text shown on each side of a match
CANDIDATE_LIMIT = 5000  # rows a query reads before the boundary check
OA = "http://www.w3.org/ns/oa#"
OWL = "http://www.w3.org/2002/07/owl#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
DCTERMS = "http://purl.org/dc/terms/"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
# The kinds results are grouped by, in the order the page shows them (local names under the
# ontology's namespace; any other kind follows, then the ontology's own terms).
KIND_ORDER = ("Recommendation", "RecommendationCluster", "Sector", "Programme",
              "DevelopmentAgendaProject", "Document", "Session", "Committee",
              "RecommendationSection", "RecommendationStatement", "ImplementationParagraph",
              "ActivityParagraph", "Highlight", "Footnote", "ProgressParagraph", "Heading")
TERM_KINDS = (OWL + "Class", OWL + "ObjectProperty", OWL + "DatatypeProperty",
              OWL + "AnnotationProperty", OWL + "Ontology", SKOS + "ConceptScheme")


def _text_fields(dakg: str) -> dict[str, str]:
    """The properties whose values are indexed → the field each gives."""
    return {RDFS + "label": "label", SKOS + "prefLabel": "label", DCTERMS + "title": "title",
            SKOS + "altLabel": "altLabel", SKOS + "hiddenLabel": "altLabel",
            dakg + "symbol": "symbol", SKOS + "notation": "notation", dakg + "text": "text",
            dakg + "recommendationText": "recommendationText"}


def texts_query(dakg: str) -> str:
    """The texts to index, as (?s ?f ?v): the field each comes from, by property."""
    union = "\n  UNION ".join(f'{{ ?s <{p}> ?v BIND("{f}" AS ?f) }}'
                              for p, f in _text_fields(dakg).items())
    return f"SELECT ?s ?f ?v WHERE {{\n  {union}\n  FILTER(isIRI(?s) && isLiteral(?v))\n}}"


TYPES_QUERY = f"SELECT ?s ?t WHERE {{ ?s <{RDF_TYPE}> ?t FILTER(isIRI(?s) && isIRI(?t)) }}"


def kind_rank(dakg: str, kind: str) -> tuple[int, str]:
    """Where results of ``kind`` come among the groups (and which of a resource's types it
    is grouped under: the first)."""
    local = kind[len(dakg):] if kind.startswith(dakg) else ""
    if local in KIND_ORDER:
        return KIND_ORDER.index(local), kind
    if kind in TERM_KINDS:
        return len(KIND_ORDER) + 2 + TERM_KINDS.index(kind), kind
    return len(KIND_ORDER) + 1, kind


@dataclass(frozen=True)
class Hit:
    """A resource found: the text it was found in and where in it the match is.

    The match is found in the folded text; where it lies in ``text`` is worked out only for
    the hits a page shows (``start``, ``end``): a common word matches thousands of texts in
    a long series, most never shown."""

    iri: str
    kind: str
    field: str
    lang: str
    text: str
    at: int  # where the match starts in the folded text
    length: int  # of the (folded) query
    exact: bool  # the whole text (a label, a notation) is the query

    @functools.cached_property
    def _span(self) -> tuple[int, int]:
        _, offsets = fold(self.text)
        end = offsets[self.at + self.length - 1] + 1 if self.length else offsets[self.at]
        return offsets[self.at], end

    @property
    def start(self) -> int:
        """Where the match starts in ``text``."""
        return self._span[0]

    @property
    def end(self) -> int:
        return self._span[1]

    def snippet(self, context: int = SNIPPET_CONTEXT) -> tuple[str, str, str]:
        """(before, match, after): the match with up to ``context`` characters around it;
        '…' where the text goes on."""
        before = self.text[max(0, self.start - context):self.start]
        after = self.text[self.end:self.end + context]
        if self.start > context:
            before = "…" + before
        if self.end + context < len(self.text):
            after += "…"
        return before, self.text[self.start:self.end], after


def _fold_char(ch: str) -> str:
    folded = unicodedata.normalize("NFKC", ch).casefold()
    return folded if folded.isalnum() else " "


class _FoldTable(dict[int, str]):
    """``str.translate``'s table for ``_fold_char``, filled as characters are met."""

    def __missing__(self, code: int) -> str:
        self[code] = folded = _fold_char(chr(code))
        return folded


_FOLD_TABLE = _FoldTable()
_SPACES = re.compile(" +")


def folded(text: str) -> str:
    """``fold(text)[0]`` at the speed of ``str.translate``: what the index stores."""
    return _SPACES.sub(" ", text.translate(_FOLD_TABLE)).strip(" ")


def fold(text: str) -> tuple[str, list[int]]:
    """The folded text, and for each of its characters the offset of the character of
    ``text`` it comes from (one more at the end: ``len(text)``)."""
    out: list[str] = []
    offsets: list[int] = []
    for i, ch in enumerate(text):
        for f in _fold_char(ch):
            if f == " " and (not out or out[-1] == " "):
                continue
            out.append(f)
            offsets.append(i)
    while out and out[-1] == " ":
        out.pop()
        offsets.pop()
    offsets.append(len(text))
    return "".join(out), offsets


def _latin_word(ch: str) -> bool:
    return ch.isascii() and ch.isalnum()


def _bounded_glob(query: str) -> str:
    """A GLOB pattern for ``' ' + folded + ' '`` that matches where ``query`` occurs with the
    word boundaries ``_matches`` needs (a Latin letter or digit at an end of the query must
    not touch another)."""
    left = "*[^a-z0-9]" if _latin_word(query[0]) else "*"
    right = "[^a-z0-9]*" if _latin_word(query[-1]) else "*"
    return left + query + right


def _matches(folded: str, query: str) -> Iterable[int]:
    """Where ``query`` (folded) occurs in ``folded`` with the word boundaries it needs."""
    start = folded.find(query)
    while start >= 0:
        end = start + len(query)
        left_ok = not _latin_word(query[0]) or start == 0 or not _latin_word(folded[start - 1])
        right_ok = (not _latin_word(query[-1]) or end == len(folded)
                    or not _latin_word(folded[end]))
        if left_ok and right_ok:
            yield start
        start = folded.find(query, start + 1)


class SearchIndex:
    """A read-only handle on one index file."""

    def __init__(self, path: Path) -> None:
        self.path = path

    @functools.cached_property
    def complete(self) -> bool:
        """Whether it holds all the texts and types of its data: an index of a remote store
        made from results cut at a row limit does not, and ``about`` then says nothing of
        what it lacks."""
        with closing(self._connect()) as db:
            found = db.execute("SELECT value FROM meta WHERE key = 'complete'").fetchone()
        return bool(found and found[0] == "1")

    def _connect(self) -> sqlite3.Connection:
        # One connection per search: cheap, and safe across the server's threads.
        return sqlite3.connect(f"file:{self.path}?mode=ro&immutable=1", uri=True)

    def search(self, query: str) -> list[Hit]:
        """Every resource with a text matching ``query``: its best hit (by field, then
        earliest match), exact matches first, then by field."""
        q, _ = fold(query)
        if not q:
            return []
        # LIKE is answered from the trigram index only without an ESCAPE clause (with one,
        # SQLite scans the whole table: 0.9 s instead of 28 ms at 1,000 reports). A folded
        # query has letters, digits and single spaces only: nothing in it is a wildcard of
        # LIKE or GLOB. Under three characters the index has no trigram to look up, and
        # SQLite 3.40 then answers multi-byte text with nothing (建议: no rows): ESCAPE makes
        # it scan. The GLOB keeps the matches at word boundaries (``_matches``) before the
        # LIMIT, so that in a long series the candidates are not all ``cdip 350``… when the
        # query is ``cdip 35``.
        like = "folded LIKE ?" if len(q) >= 3 else "folded LIKE ? ESCAPE '\\'"
        with closing(self._connect()) as db:
            rows = db.execute(
                "SELECT iri, kind, field, lang, text, folded FROM entries "
                f"WHERE {like} AND (' ' || folded || ' ') GLOB ? LIMIT ?",
                (f"%{q}%", _bounded_glob(q), CANDIDATE_LIMIT)).fetchall()
        best: dict[str, Hit] = {}
        for iri, kind, field, lang, text, folded in rows:
            hit = _hit(iri, kind, field, lang, text, folded, q)
            if hit is not None and (iri not in best or _rank(hit) < _rank(best[iri])):
                best[iri] = hit
        return sorted(best.values(), key=_rank)

    def names(self, iris: Iterable[str]) -> dict[str, tuple[str, str]]:
        """IRI → (name, Chinese name) for those of ``iris`` that have a label."""
        return {iri: (name, name_zh) for iri, name, name_zh
                in self._rows_of("SELECT iri, name, name_zh FROM names", iris)}

    def about(self, iris: Iterable[str]) -> dict[str, list[Fact]]:
        """IRI → what names it (``ABOUT_FIELDS`` and ``type``), for those of ``iris`` that
        have any. An IRI left out has none of them in the data, unless it is a ``fragment``
        (not indexed)."""
        return {iri: [Fact(*f) for f in json.loads(facts)] for iri, facts
                in self._rows_of("SELECT iri, facts FROM about", iris)}

    def _rows_of(self, select: str, iris: Iterable[str]) -> Iterator[tuple[str, ...]]:
        """The rows of ``select`` (a table keyed by ``iri``) for ``iris``: by primary key,
        some hundreds at a time."""
        wanted = sorted(set(iris))
        with closing(self._connect()) as db:
            for i in range(0, len(wanted), 500):
                chunk = wanted[i:i + 500]
                marks = ",".join("?" * len(chunk))
                yield from db.execute(f"{select} WHERE iri IN ({marks})", chunk)


class Fact(NamedTuple):
    """One thing ``SearchIndex.about`` knows of a resource: a label, title, symbol or text
    start (its field, language, text), or a type (``type``, '', the type's IRI)."""

    field: str
    lang: str
    value: str


def fragment(iri: str, dakg: str) -> bool:
    """Whether ``iri`` is a fragment of one of the dataset's own resources (its span, quote,
    position: ``…/id/…#span``), which the index leaves out; ``dakg`` is the ontology's
    namespace, ``id/`` beside it the resources'."""
    return "#" in iri and iri.startswith(dakg.removesuffix("def/") + "id/")


def _hit(iri: str, kind: str, field: str, lang: str, text: str, folded: str,
         q: str) -> Hit | None:
    start = next(iter(_matches(folded, q)), None)
    if start is None:
        return None
    return Hit(iri, kind, field, lang, text, start, len(q), exact=folded == q)


def _rank(hit: Hit) -> tuple[int, int, int]:
    # The folded text keeps the order of the text's characters: ``at`` ranks as ``start``.
    return (0 if hit.exact else 1, FIELDS.index(hit.field), hit.at)


# The name pages give a resource, best first: (field, language without region) → rank.
_NAME_RANKS = {("label", "en"): 0, ("label", ""): 1, ("symbol", ""): 2, ("label", "zh"): 3,
               ("title", "en"): 0, ("title", ""): 1, ("title", "zh"): 3}
# Resources searched and named by the search page: not those of an IRI with a '#' (the
# fragments, and the terms of vocabularies such as RDF's and OWL's).
_WHOLE = "instr(iri, '#') = 0"
# The field a row is searched as (``SEARCHED_AS``).
_SEARCHED = ("CASE field " + " ".join(f"WHEN '{k}' THEN '{v}'" for k, v in SEARCHED_AS.items())
             + " ELSE field END")
_STAGING = """
CREATE TABLE stage.types (s TEXT, t TEXT);
CREATE TABLE stage.texts (iri TEXT, field TEXT, lang TEXT, text TEXT, name_rank INTEGER,
                          folded TEXT);
"""
# A resource's kind: of its types (not Web Annotation's), the first by ``kind_rank``; one
# row per resource (a bare column of ``min`` comes from the row of the least rank).
_KINDS = """INSERT INTO stage.kinds
SELECT s, t FROM (SELECT s, t, min(rank) FROM stage.types JOIN stage.ranks USING (t) GROUP BY s)"""
_ANNOTATIONS = "SELECT s FROM stage.types WHERE t = ?"
# The tables pages name things from, made in a file of their own and copied into the index.
_NAMES_TABLE = "CREATE TABLE names (iri TEXT PRIMARY KEY, name TEXT, name_zh TEXT)"
_ABOUT_TABLE = "CREATE TABLE about (iri TEXT PRIMARY KEY, facts TEXT NOT NULL) WITHOUT ROWID"
# Its name: the text of the best rank (then the first in code-point order); its Chinese name.
_NAMES = """INSERT INTO names
SELECT iri, max(CASE WHEN best = 1 THEN text END), coalesce(max(CASE WHEN zh = 1 THEN text END), '')
FROM (SELECT iri, text,
             row_number() OVER (PARTITION BY iri ORDER BY name_rank, text) AS best,
             CASE WHEN name_rank = 3 THEN row_number() OVER
                 (PARTITION BY iri, name_rank = 3 ORDER BY text) END AS zh
      FROM stage.texts WHERE name_rank IS NOT NULL AND """ + _WHOLE + """
            AND iri NOT IN (""" + _ANNOTATIONS + """))
GROUP BY iri"""
# What names each resource, for pages (``SearchIndex.about``): its facts as a JSON array.
_ABOUT = f"""INSERT INTO about
SELECT iri, json_group_array(json_array(field, lang, value)) FROM (
  SELECT iri, field, lang, CASE field WHEN 'text' THEN substr(text, 1, {TEXT_START})
                                      ELSE text END AS value
  FROM stage.texts WHERE field IN ({", ".join(f"'{f}'" for f in ABOUT_FIELDS)})
  UNION SELECT s, 'type', '', t FROM stage.types)
GROUP BY iri"""


TypeRow = tuple[str, str]  # (IRI, type IRI)
TextRow = tuple[str, str, str, str]  # (IRI, field, language, text)
Types = Iterable[TypeRow]
Texts = Iterable[TextRow]
# A text as the index stages it: (IRI, field, language, text, its rank as a name or None,
# the text ``folded`` or None where it is not searched).
StagedText = tuple[str, str, str, str, int | None, str | None]


def staged(types: Types, texts: Texts,
           dakg: str) -> tuple[list[TypeRow], list[StagedText]]:
    """What ``IndexWriter`` stores of ``types`` and ``texts``: the fragments (``fragment``)
    left out, and each text with its rank as a name and, where it may be searched, folded.

    Most of the work of indexing a row, done where the rows are made: a build's jobs stage
    their report's rows in their own processes, in parallel, and the build's process only
    stores them (``IndexWriter.add_staged``). A text is folded unless it cannot be searched
    (its IRI has a '#', or ``types`` says it is an annotation); a text left unfolded that
    turns out to be searched after all is folded by ``finish``, so the index is the same
    whichever rows come together."""
    annotation = OA + "Annotation"
    kept = [(s, t) for s, t in types if not fragment(s, dakg)]
    annotations = {s for s, t in kept if t == annotation}  # a fragment is not searched anyway
    rows = [(iri, field, lang, text, _name_rank(field, lang),
             None if "#" in iri or iri in annotations else folded(text))
            for iri, field, lang, text in texts if not fragment(iri, dakg)]
    return kept, rows


class IndexWriter:
    """An index being written to ``path``: rows ``add``-ed as they come (a build adds each
    report's as its job ends), then ``finish``-ed into place, atomically (a reader sees the
    whole file or none). Used as a context manager, it leaves nothing behind if not finished.

    ``dakg`` is the ontology's namespace. Not indexed: Web Annotation's annotations
    (mentions), and spans and selectors (``#…``), whose labels only say where they are
    ("Mention of CDIP/5/10 in …"): what they name and the text around them are found by
    their own entries. A row given twice (what several reports say of a shared resource)
    is indexed once. The fragments of resources (``fragment``) are left out entirely;
    the terms of vocabularies with a '#' are kept for pages (``about``), not for searches."""

    def __init__(self, path: Path, dakg: str) -> None:
        self.path, self.dakg = path, dakg
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, work = tempfile.mkstemp(prefix=".search-", suffix=".sqlite", dir=path.parent)
        os.close(fd)
        self._work, self._stage = Path(work), Path(work + "-stage")
        # Rows are added on one thread and ``finish`` may run on another (a build writes its
        # dumps meanwhile): one at a time, so the connection may cross threads.
        self._db = sqlite3.connect(work, check_same_thread=False)
        self._db.execute("ATTACH DATABASE ? AS stage", (str(self._stage),))
        self._db.executescript(_STAGING)
        self._stopped = False
        self._stoppable(self._db)

    def __enter__(self) -> IndexWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def add(self, types: Types, texts: Texts) -> None:
        self.add_staged(*staged(types, texts, self.dakg))

    def add_staged(self, types: Iterable[TypeRow], texts: Iterable[StagedText]) -> None:
        """Store rows ``staged`` made (with the same ``dakg``)."""
        self._db.executemany("INSERT INTO stage.types VALUES (?, ?)", types)
        self._db.executemany("INSERT INTO stage.texts VALUES (?, ?, ?, ?, ?, ?)", texts)

    def finish(self, *, complete: bool = True, threads: int = 1) -> SearchIndex:
        """``complete``: the rows added are all the data's (``SearchIndex.complete``).

        The search entries and the names (``names``, ``about``) are made on two connections
        (the names in a file of their own, then copied in); with ``threads=2``, at the same
        time, the names on a thread: SQLite lets go of the GIL, so each takes a core, and
        at 1,000 reports the index no longer takes the time of both one after the other. A
        build asks for that; a server (whose gevent workers have no core to spare) does not.
        """
        self._kinds()
        aux = Path(f"{self._work}-names")
        try:
            if threads > 1:
                with ThreadPoolExecutor(1, thread_name_prefix="dakg-names") as thread:
                    naming = thread.submit(self._names, aux)
                    try:
                        self._entries()
                    except BaseException:
                        self._stopped = True  # the other connection stops too
                        raise
                    naming.result()
            else:
                self._entries()
                self._names(aux)
            db, run = self._db, self._run
            run("ATTACH DATABASE ? AS names_file", (str(aux),))
            # Copied as they are (SQLite's transfer of records between tables alike).
            run(_NAMES_TABLE)
            run("INSERT INTO names SELECT * FROM names_file.names")
            run(_ABOUT_TABLE)
            run("INSERT INTO about SELECT * FROM names_file.about")
            run("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT)")
            run("INSERT INTO meta VALUES ('complete', ?)", ("1" if complete else "0",))
            db.commit()
            db.close()
        finally:
            aux.unlink(missing_ok=True)
        os.chmod(self._work, 0o644)
        os.replace(self._work, self.path)
        self._stage.unlink(missing_ok=True)
        return SearchIndex(self.path)

    def _kinds(self) -> None:
        """Each resource's kind (``kind_rank``), in the staging file, committed: the two
        connections of ``finish`` then only read it."""
        db, run = self._db, self._run
        run("CREATE INDEX stage.types_s ON types (s)")
        run("CREATE TABLE stage.ranks (t TEXT PRIMARY KEY, rank INTEGER)")
        kinds = [t for (t,) in run("SELECT DISTINCT t FROM stage.types")
                 if not t.startswith(OA)]
        ordered = sorted(kinds, key=lambda k: kind_rank(self.dakg, k))
        db.executemany("INSERT INTO stage.ranks VALUES (?, ?)",
                       ((k, i) for i, k in enumerate(ordered)))
        run("CREATE TABLE stage.kinds (iri TEXT PRIMARY KEY, t TEXT) WITHOUT ROWID")
        run(_KINDS)
        db.commit()

    def _entries(self) -> None:
        """The searched texts, in the FTS5 table ``entries``.

        Searches are LIKE and GLOB only, which SQLite checks again on each row the trigram
        index gives: the index needs no positions (``detail=none``) and no sizes for ranking
        (``columnsize=0``), which makes it a fifth smaller and a fifth quicker to build (a
        tenth of a build's reports: 4.3 s of CPU against 5.5, 100 MB against 127)."""
        db, run = self._db, self._run
        db.create_function("fold", 1, folded, deterministic=True)
        run("CREATE VIRTUAL TABLE entries USING fts5("
            "folded, iri UNINDEXED, kind UNINDEXED, field UNINDEXED, lang UNINDEXED, "
            "text UNINDEXED, tokenize='trigram', detail=none, columnsize=0)")
        marks = ", ".join("?" * len(FIELDS))
        kind = "(SELECT t FROM stage.kinds WHERE kinds.iri = texts.iri)"
        run("INSERT INTO entries (folded, iri, kind, field, lang, text) "
            f"SELECT coalesce(folded, fold(text)), iri, coalesce({kind}, ''), "
            f"{_SEARCHED} AS searched, "
            f"lang, text FROM stage.texts WHERE searched IN ({marks}) AND {_WHOLE} "
            f"AND iri NOT IN ({_ANNOTATIONS}) "
            "GROUP BY iri, searched, lang, text ORDER BY min(rowid)",
            (*FIELDS, OA + "Annotation"))
        run("INSERT INTO entries (entries) VALUES ('optimize')")

    def _names(self, path: Path) -> None:
        """``names`` and ``about``, written to ``path`` by a connection of their own."""
        with closing(sqlite3.connect(path)) as db:
            self._stoppable(db)
            db.execute("ATTACH DATABASE ? AS stage", (str(self._stage),))
            for sql, parameters in (
                    (_NAMES_TABLE, ()),
                    (_NAMES, (OA + "Annotation",)),
                    (_ABOUT_TABLE, ()),
                    (_ABOUT, ())):
                self._run(sql, parameters, db)
            db.commit()

    def _stoppable(self, db: sqlite3.Connection) -> None:
        """Let ``interrupt`` stop a statement of ``db`` (within a million steps)."""
        db.set_progress_handler(lambda: self._stopped, 1_000_000)

    def _run(self, sql: str, parameters: Sequence[object] = (),
             db: sqlite3.Connection | None = None) -> sqlite3.Cursor:
        """``sql`` on ``db`` (the index's own connection by default), unless stopped."""
        if self._stopped:
            raise sqlite3.OperationalError("interrupted")
        return (db or self._db).execute(sql, parameters)

    def interrupt(self) -> None:
        """Stop a ``finish`` running on another thread: it raises ``sqlite3.OperationalError``
        (interrupted) within a million steps of SQLite's."""
        self._stopped = True

    def close(self) -> None:
        """Let go of what was not finished."""
        self._db.close()
        self._work.unlink(missing_ok=True)
        self._stage.unlink(missing_ok=True)


def write(path: Path, dakg: str, types: Types, texts: Texts, *,
          complete: bool = True) -> SearchIndex:
    """Write the index of ``types`` and ``texts`` to ``path`` (``IndexWriter``)."""
    with IndexWriter(path, dakg) as writer:
        writer.add(types, texts)
        return writer.finish(complete=complete)


def rows(triples: Iterable[ox.Triple | ox.Quad],
         dakg: str) -> tuple[list[TypeRow], list[TextRow]]:
    """The index rows of ``triples``: what ``TYPES_QUERY`` and ``texts_query`` select."""
    return plain_rows(((t.subject.value if isinstance(t.subject, ox.NamedNode) else None,
                        t.predicate.value, _plain(t.object)) for t in triples), dakg)


# A statement's object as the index reads it: an IRI, a literal's (language, lexical form),
# or None (a blank node, a quoted triple).
Plain = str | tuple[str, str] | None


def plain_rows(statements: Iterable[tuple[str | None, str, Plain]],
               dakg: str) -> tuple[list[TypeRow], list[TextRow]]:
    """``rows`` of statements given as text (subject IRI or None, predicate IRI, ``Plain``
    object): a build's job reads them from its mapping, never making Oxigraph terms. Only
    the statements of ``indexed_predicates`` give rows."""
    fields = _text_fields(dakg)
    types: list[TypeRow] = []
    texts: list[TextRow] = []
    for subject, predicate, value in statements:
        if subject is None:
            continue
        if predicate == RDF_TYPE:
            if isinstance(value, str):
                types.append((subject, value))
        elif isinstance(value, tuple) and predicate in fields:
            texts.append((subject, fields[predicate], *value))
    return types, texts


def indexed_predicates(dakg: str) -> frozenset[str]:
    """The predicates whose statements ``rows`` reads (the others give no row)."""
    return frozenset({RDF_TYPE, *_text_fields(dakg)})


def _plain(term: ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple) -> Plain:
    if isinstance(term, ox.NamedNode):
        return term.value
    if isinstance(term, ox.Literal):
        return term.language or "", term.value
    return None


def _name_rank(field: str, lang: str) -> int | None:
    return _NAME_RANKS.get((field, lang.split("-")[0].lower()))


def index_path(folder: Path, version: str) -> Path:
    return folder / f"search-{SCHEMA_VERSION}-{version}.sqlite"


def prune(folder: Path, alive: set[str]) -> None:
    """Remove the index files of data versions that are gone (another process may still be
    serving an older version that exists, so only those are removed)."""
    for old in folder.glob(f"search-{SCHEMA_VERSION}-*.sqlite"):
        version = old.name.removeprefix(f"search-{SCHEMA_VERSION}-").removesuffix(".sqlite")
        if version not in alive:
            old.unlink(missing_ok=True)


def write_from_store(path: Path, store: ox.Store, dakg: str) -> SearchIndex:
    """``write`` the index of the dataset in ``store`` (its default graph the union of its
    graphs), streamed from the store."""
    def types() -> Iterator[tuple[str, str]]:
        for row in _select(store, TYPES_QUERY):
            yield row[0].value, row[1].value

    def texts() -> Iterator[tuple[str, str, str, str]]:
        for row in _select(store, texts_query(dakg)):
            value = row[2]
            assert isinstance(value, ox.Literal)
            yield row[0].value, row[1].value, value.language or "", value.value

    return write(path, dakg, types(), texts())


def _select(store: ox.Store, query: str) -> ox.QuerySolutions:
    solutions = store.query(query, use_default_graph_as_union=True)
    assert isinstance(solutions, ox.QuerySolutions)
    return solutions
