"""How a page names what it shows: labels (English first, the Chinese one beside it), prefixed
names, local links for IRIs under the base.

A page collects the IRIs it shows, fetches what names them (``labels.fetch_labels``) and
hands the ``Namer`` to its template, which asks it for every name and link: no template
reads labels or builds a link itself.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from typing import Any

from flask import request
from markupsafe import Markup, escape

from dakg.search_index import TEXT_START

from ..runtime import Runtime
from .paths import href_escape
from .terms import Term

SNIPPET_LENGTH = TEXT_START  # characters of a text shown beside a link to it (as indexed)
NAME_LENGTH = 200  # characters of a label used as a name (links, headings, the page title)
LONG_TEXT = 2_000  # a text longer than this is shown in full once on a page, then shortened
# Prefixes used only to shorten IRIs on pages, beside those queries declare.
DISPLAY_ONLY_PREFIXES = {"vann": "http://purl.org/vocab/vann/",
                         "foaf": "http://xmlns.com/foaf/0.1/", "schema": "https://schema.org/",
                         "sd": "http://www.w3.org/ns/sparql-service-description#"}

_CJK = re.compile("[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef]")


def text_lang(value: Term | str) -> str:
    """The language to declare for a text: its tag, else ``zh`` if it holds Chinese."""
    if isinstance(value, Term):
        if value.lang:
            return value.lang
        value = value.value
    return "zh" if _CJK.search(value) else ""


# Characters that reorder the text around them (bidi embeddings, overrides and isolates): shown
# raw, "evil\u202etxt.exe" displays as "evilexe.txt".
_BIDI_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069]")


def visible_controls(value: object) -> object:
    """Text with its bidi control characters written out (``[U+202E]``); Jinja's ``finalize``,
    so applied to every text a template shows. Markup, already escaped by a view, passes as it
    is: it is how a view shows a text exactly as given (a query in its text box)."""
    if isinstance(value, str) and not isinstance(value, Markup):
        return _BIDI_CONTROLS.sub(lambda m: f"[U+{ord(m.group()):04X}]", value)
    return value


def _shown(text: str) -> Markup:
    """``text`` as a template shows it: bidi controls written out (``visible_controls``),
    escaped."""
    return escape(visible_controls(text))


def shorten(text: str, length: int) -> str:
    return text if len(text) <= length else text[:length] + "…"


def visible_ws(text: str) -> str:
    """Line breaks and tabs of a quote's context made visible (↵, ⇥), on one line."""
    return text.replace("\r\n", "↵").replace("\n", "↵").replace("\r", "↵").replace("\t", "⇥")


@functools.lru_cache(maxsize=16384)
def natural_key(text: str) -> tuple[Any, ...]:
    """Sort key in which digit runs compare as numbers: recommendation/2 < recommendation/10."""
    parts = re.split(r"([0-9]+)", text)  # text, digits, text, digits, …, text
    return tuple(int(part) if i % 2 else part.casefold() for i, part in enumerate(parts))


def _label_preference(lang: str) -> tuple[int, str]:
    """English first, then untagged, then other languages by tag, Chinese last."""
    return {"en": 0, "": 1, "zh": 3}.get(lang, 2), lang


@dataclass
class Info:
    """What the label query found about one IRI (or blank node)."""

    labels: dict[str, list[str]] = field(default_factory=dict)  # primary language → labels
    titles: dict[str, list[str]] = field(default_factory=dict)  # dcterms:title, the same way
    symbol: str = ""
    types: list[str] = field(default_factory=list)
    text: str = ""  # the start of its dakg:text
    quote: str = ""  # the quote of its span (mentions)
    part_of: list[str] = field(default_factory=list)
    reports: list[str] = field(default_factory=list)  # documents whose source text it is
    # A property's name read backwards: its dakg:inverseLabel, else its inverse's label.
    inverse: dict[str, list[str]] = field(default_factory=dict)
    inverse_derived: dict[str, list[str]] = field(default_factory=dict)
    # Its main name and the Chinese one shown beside it (``Namer.name``, ``name_zh``), once
    # settled: a page asks for them several times for each of hundreds of links.
    main: str = ""
    main_zh: str = ""

    def add(self, kind: str, value: Term) -> None:
        """Take one row of the label query (``kind`` is its ``?k``)."""
        if kind in ("label", "title", "inverse", "inverse-derived"):
            found = {"label": self.labels, "title": self.titles, "inverse": self.inverse,
                     "inverse-derived": self.inverse_derived}[kind]
            found.setdefault(value.primary_lang, []).append(value.value)
        elif kind == "symbol":
            self.symbol = self.symbol or value.value
        elif kind == "text":
            self.text = value.value
        elif kind == "quote":
            self.quote = value.value
        elif value.is_iri and kind in ("type", "partof", "report"):
            {"type": self.types, "partof": self.part_of, "report": self.reports}[kind].append(
                value.value)

    def settle(self) -> None:
        """Once all rows are in: a title names what has no label; lists in a stable order."""
        if not self.labels and self.titles:
            self.labels = self.titles
        if not self.inverse:
            self.inverse = self.inverse_derived
        for lang, values in self.inverse.items():
            self.inverse[lang] = sorted(set(values))
        for lang, values in self.labels.items():
            # A name is shown wherever the IRI is linked: a huge label would be repeated.
            self.labels[lang] = sorted(shorten(v, NAME_LENGTH) for v in values)
        self.symbol = shorten(self.symbol, NAME_LENGTH)
        preferred = sorted(self.labels, key=_label_preference)
        self.main = next((self.labels[lang][0] for lang in preferred if self.labels[lang]),
                         self.symbol)
        zh = self.labels.get("zh", [])
        self.main_zh = zh[0] if zh and zh[0] != self.main else ""
        self.types.sort()
        self.part_of.sort()
        self.reports.sort()


class Namer:
    """How a page names and links IRIs: labels where known, local paths under the base."""

    def __init__(self, rt: Runtime) -> None:
        self.base: str = rt.settings.base_iri
        self.root: str = request.script_root
        known = {**DISPLAY_ONLY_PREFIXES, **rt.prefixes}
        # Longest namespace first, so that a CURIE uses the most specific prefix.
        self.prefixes = sorted(known.items(), key=lambda item: -len(item[1]))
        self.info: dict[str, Info] = {}
        self._in_full: set[str] = set()  # the long texts this page has shown in full
        self._links: dict[tuple[str, bool], Markup] = {}  # a page links an IRI many times

    # links
    def local(self, iri: str) -> str | None:
        """The local path of an IRI under the base (``/id/…``, ``/def/…``), else None."""
        if iri.startswith((self.base + "id/", self.base + "def/")):
            return self.root + "/" + href_escape(iri[len(self.base):])
        return None

    def href(self, iri: str) -> str | None:
        """The local path of an IRI under the base, else the IRI if it is a web address."""
        return self.local(iri) or (iri if iri.startswith(("http://", "https://")) else None)

    def is_external(self, iri: str) -> bool:
        return self.local(iri) is None

    def data_path(self, iri: str, ext: str) -> str:
        """The local path of the representation ``ext`` of a local resource."""
        local = self.local(iri) or ""
        return local.split("#")[0].rstrip("/") + "." + ext

    def curie(self, iri: str) -> str:
        for prefix, ns in self.prefixes:
            if iri.startswith(ns) and len(iri) > len(ns):
                return f"{prefix}:{iri[len(ns):]}"
        return iri

    def short(self, iri: str) -> str:
        """A readable fallback name: the path under the base's ``id/``, else the CURIE."""
        if iri.startswith(self.base + "id/"):
            return iri[len(self.base + "id/"):]
        return self.curie(iri)

    # names
    def name(self, iri: str) -> str:
        """The main name: English label, else untagged, else another language's, else
        Chinese, else the symbol, else the short path."""
        found = self.info.get(iri)
        return (found.main if found else "") or self.short(iri)

    def name_zh(self, iri: str) -> str:
        """The Chinese label when the main name is not it (shown beside it), else ''."""
        found = self.info.get(iri)
        return found.main_zh if found else ""

    def name_is_zh(self, iri: str) -> bool:
        """Whether the main name is Chinese text (to be marked ``lang="zh"``)."""
        return text_lang(self.name(iri)) == "zh"

    def link(self, iri: str, show_zh: bool = True) -> Markup:
        """An IRI as pages show it: its name, a link where it has an address, its Chinese
        name beside (the ``iri`` macro; written here, as the most frequent element of a page
        costs several times as much as a macro)."""
        found = self._links.get((iri, show_zh))
        if found is None:
            found = self._links[iri, show_zh] = self._link(iri, show_zh)
        return found

    def settled(self) -> None:
        """``info`` has changed: forget the links written with what it held."""
        self._links.clear()

    def _link(self, iri: str, show_zh: bool) -> Markup:
        href, name = self.href(iri), self.name(iri)
        lang = ' lang="zh"' if self.name_is_zh(iri) else ""
        if href:
            external = ' class="ext" rel="external"' if self.is_external(iri) else ""
            shown = (f'<a href="{_shown(href)}" title="{_shown(iri)}"{external}{lang}>'
                     f'{_shown(name)}</a>')
        else:
            shown = f'<span title="{_shown(iri)}"{lang}>{_shown(name)}</span>'
        zh = self.name_zh(iri) if show_zh else ""
        if zh:
            shown += f' <span class="alt" lang="zh">{_shown(zh)}</span>'
        return Markup(shown)

    def inverse_name(self, iri: str, lang: str = "en") -> str:
        """The property's name read from object to subject ("cited by"), in ``lang``; '' if
        the dataset gives none (the page then writes "is … of")."""
        found = self.info.get(iri)
        names = found.inverse.get(lang, []) if found else []
        return names[0] if names else ""

    def has_label(self, iri: str) -> bool:
        found = self.info.get(iri)
        return bool(found and (found.labels or found.symbol))

    def snippet(self, iri: str) -> str:
        """A short piece of the text of an IRI without a label: its quote or text."""
        found = self.info.get(iri)
        if not found:
            return ""
        text = found.quote or found.text
        return text[:SNIPPET_LENGTH] + "…" if len(text) >= SNIPPET_LENGTH else text

    def once(self, text: str) -> str:
        """``text`` in full the first time the page shows it, shortened where it repeats it:
        a long text shown in several places would multiply the size of the page."""
        if len(text) <= LONG_TEXT:
            return text
        if text in self._in_full:
            return shorten(text, NAME_LENGTH)
        self._in_full.add(text)
        return text

    def types(self, iri: str) -> list[str]:
        found = self.info.get(iri)
        return found.types if found else []

    def sort_key(self, t: Term) -> tuple[Any, ...]:
        """IRIs by name, then literals (Chinese, English, others), then the rest."""
        if t.is_iri:
            return (0, natural_key(self.name(t.value)), t.value)
        if t.is_literal:
            order = {"zh": 0, "en": 1}.get(t.primary_lang, 2)
            return (1, order, natural_key(t.value))
        return (2, t.value)
