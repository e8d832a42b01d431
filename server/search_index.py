"""The search index: every label, symbol, notation and text of the dataset in one SQLite file
(stdlib), made once per data version and read by every search after.

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

import os
import sqlite3
import tempfile
import unicodedata
from collections.abc import Iterable
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

# Part of the file name: a new layout, or a new choice of what is indexed (2: mentions and
# selectors left out), makes a new file rather than reusing an index made by older code.
SCHEMA_VERSION = "2"
# Which fields a row comes from, best first: a match in a label ranks above one in a text.
FIELDS = ("notation", "label", "symbol", "altLabel", "text")
SNIPPET_CONTEXT = 36  # characters of a text shown on each side of a match
CANDIDATE_LIMIT = 5000  # rows a query reads before the boundary check


@dataclass(frozen=True)
class Entry:
    """One text of one resource, as the index takes it."""

    iri: str
    kind: str  # the IRI of the resource's main type ('' if none)
    field: str  # one of FIELDS
    lang: str
    text: str


@dataclass(frozen=True)
class Hit:
    """A resource found: the text it was found in and where in it the match is."""

    iri: str
    kind: str
    field: str
    lang: str
    text: str
    start: int  # of the match in ``text``
    end: int
    exact: bool  # the whole text (a label, a notation) is the query

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

    def _connect(self) -> sqlite3.Connection:
        # One connection per search: cheap, and safe across the server's threads.
        return sqlite3.connect(f"file:{self.path}?mode=ro&immutable=1", uri=True)

    def search(self, query: str) -> list[Hit]:
        """Every resource with a text matching ``query``: its best hit (by field, then
        earliest match), exact matches first, then by field."""
        q, _ = fold(query)
        if not q:
            return []
        pattern = "%" + q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        with closing(self._connect()) as db:
            rows = db.execute(
                "SELECT iri, kind, field, lang, text, folded FROM entries "
                "WHERE folded LIKE ? ESCAPE '\\' LIMIT ?", (pattern, CANDIDATE_LIMIT)).fetchall()
        best: dict[str, Hit] = {}
        for iri, kind, field, lang, text, folded in rows:
            hit = _hit(iri, kind, field, lang, text, folded, q)
            if hit is not None and (iri not in best or _rank(hit) < _rank(best[iri])):
                best[iri] = hit
        return sorted(best.values(), key=_rank)

    def names(self, iris: Iterable[str]) -> dict[str, tuple[str, str]]:
        """IRI → (name, Chinese name) for those of ``iris`` that have a label."""
        wanted = sorted(set(iris))
        found: dict[str, tuple[str, str]] = {}
        with closing(self._connect()) as db:
            for i in range(0, len(wanted), 500):
                chunk = wanted[i:i + 500]
                marks = ",".join("?" * len(chunk))
                for iri, name, name_zh in db.execute(
                        f"SELECT iri, name, name_zh FROM names WHERE iri IN ({marks})", chunk):
                    found[iri] = (name, name_zh)
        return found


def _hit(iri: str, kind: str, field: str, lang: str, text: str, folded: str,
         q: str) -> Hit | None:
    start = next(iter(_matches(folded, q)), None)
    if start is None:
        return None
    _, offsets = fold(text)
    return Hit(iri, kind, field, lang, text, offsets[start],
               offsets[start + len(q) - 1] + 1 if len(q) else offsets[start],
               exact=folded == q)


def _rank(hit: Hit) -> tuple[int, int, int]:
    return (0 if hit.exact else 1, FIELDS.index(hit.field), hit.start)


def _names(entries: list[Entry]) -> Iterable[tuple[str, str, str]]:
    """(IRI, name, Chinese name) of every IRI with a label: the name as pages choose it
    (English, else untagged, else a symbol, else Chinese)."""
    preference = {("label", "en"): 0, ("label", ""): 1, ("symbol", ""): 2, ("label", "zh"): 3}
    found: dict[str, dict[int, str]] = {}
    for e in sorted(entries, key=lambda e: (e.iri, e.text)):
        rank = preference.get((e.field, e.lang.split("-")[0].lower()))
        if rank is not None:
            found.setdefault(e.iri, {}).setdefault(rank, e.text)
    for iri, names in found.items():
        yield iri, names[min(names)], names.get(3, "")


def build(path: Path, entries: Iterable[Entry]) -> SearchIndex:
    """Write the index of ``entries`` to ``path`` (atomically: a reader sees the whole file
    or none)."""
    entries = list(entries)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, work = tempfile.mkstemp(prefix=".search-", suffix=".sqlite", dir=path.parent)
    os.close(fd)
    try:
        with sqlite3.connect(work) as db:
            db.execute("CREATE VIRTUAL TABLE entries USING fts5("
                       "folded, iri UNINDEXED, kind UNINDEXED, field UNINDEXED, lang UNINDEXED, "
                       "text UNINDEXED, tokenize='trigram')")
            db.executemany("INSERT INTO entries (folded, iri, kind, field, lang, text) "
                           "VALUES (?, ?, ?, ?, ?, ?)",
                           ((fold(e.text)[0], e.iri, e.kind, e.field, e.lang, e.text)
                            for e in entries if e.field in FIELDS))
            db.execute("INSERT INTO entries (entries) VALUES ('optimize')")
            db.execute("CREATE TABLE names (iri TEXT PRIMARY KEY, name TEXT, name_zh TEXT)")
            db.executemany("INSERT INTO names VALUES (?, ?, ?)", _names(entries))
        db.close()
        os.chmod(work, 0o644)
        os.replace(work, path)
    except BaseException:
        Path(work).unlink(missing_ok=True)
        raise
    return SearchIndex(path)


def index_path(folder: Path, version: str) -> Path:
    return folder / f"search-{SCHEMA_VERSION}-{version}.sqlite"


def prune(folder: Path, alive: set[str]) -> None:
    """Remove the index files of data versions that are gone (another process may still be
    serving an older version that exists, so only those are removed)."""
    for old in folder.glob(f"search-{SCHEMA_VERSION}-*.sqlite"):
        version = old.name.removeprefix(f"search-{SCHEMA_VERSION}-").removesuffix(".sqlite")
        if version not in alive:
            old.unlink(missing_ok=True)
