"""Read ``curated.toml`` into a ``Reference``, with errors that name the table and key."""

from __future__ import annotations

import datetime as dt
import tomllib
from collections.abc import Mapping
from importlib import resources
from pathlib import Path
from typing import Any

from ..errors import SourceError
from .model import Cluster, DocumentTitle, Entity, Origin, Reference


def bundled_reference_path() -> Path:
    return Path(str(resources.files("dakg.graph.reference") / "curated.toml"))


def load_reference(path: Path | None = None) -> Reference:
    path = path or bundled_reference_path()
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as e:
        raise SourceError(f"{path}: cannot read the curated reference data: {e}") from e
    try:
        return _reference(data)
    except _Bad as e:
        raise SourceError(f"{path}: {e}") from e


class _Bad(Exception):
    pass


def _reference(data: Mapping[str, Any]) -> Reference:
    provenance = _table(data, "provenance", "")
    sources = {key: Origin(key=key, title=_str(v, "title", f"[sources.{key}]"),
                           url=v.get("url"), identifier=v.get("identifier"))
               for key, v in _table(data, "sources", "").items()}
    immediate = _table(data, "immediate_implementation", "")
    reference = Reference(
        title=_str(provenance, "title", "[provenance]"),
        description=_str(provenance, "description", "[provenance]"),
        curator=_str(provenance, "curator", "[provenance]"),
        modified=_date(provenance, "modified", "[provenance]"),
        sources=sources,
        clusters=tuple(_cluster(t, i) for i, t in enumerate(_array(data, "cluster"), 1)),
        immediate=frozenset(_ints(immediate, "recommendations", "[immediate_implementation]")),
        immediate_source=_str(immediate, "source", "[immediate_implementation]"),
        organization=_entity("organization", _table(data, "organization", ""),
                             "[organization]"),
        sectors=_entities(data, "sector"),
        committees=_entities(data, "committee"),
        programmes=_entities(data, "programme"),
        projects=_entities(data, "project"),
        documents=tuple(_document(t, i) for i, t in enumerate(_array(data, "document"), 1)),
    )
    for where, key in _source_keys(reference):
        if key not in sources:
            raise _Bad(f"{where}: source {key!r} is not one of [sources]: {sorted(sources)}")
    return reference


def _cluster(table: Mapping[str, Any], index: int) -> Cluster:
    where = f"[[cluster]] #{index}"
    bounds = _ints(table, "recommendations", where)
    if len(bounds) != 2 or bounds[0] > bounds[1]:
        raise _Bad(f"{where}: expected 'recommendations' to be a range [first, last]")
    first, last = bounds
    return Cluster(letter=_str(table, "letter", where), first=first, last=last,
                   name_en=_str(table, "name_en", where), name_zh=_str(table, "name_zh", where),
                   source=_str(table, "source", where))


def _document(table: Mapping[str, Any], index: int) -> DocumentTitle:
    where = f"[[document]] #{index}"
    return DocumentTitle(symbol=_str(table, "symbol", where),
                         title_en=_str(table, "title_en", where),
                         source=_str(table, "source", where))


def _entities(data: Mapping[str, Any], kind: str) -> tuple[Entity, ...]:
    entities = tuple(_entity(kind, t, f"[[{kind}]] #{i}")
                     for i, t in enumerate(_array(data, kind), 1))
    keys = [e.key for e in entities]
    duplicate = next((k for k in keys if keys.count(k) > 1), None)
    if duplicate:
        raise _Bad(f"[[{kind}]]: the key {duplicate!r} is used twice")
    return entities


def _entity(kind: str, table: Mapping[str, Any], where: str) -> Entity:
    key = _str(table, "key", where)
    where = f"{where} (key {key!r})"
    return Entity(kind=kind, key=key, name_zh=_str(table, "name_zh", where),
                  source=_str(table, "source", where),
                  name_en=_optional_str(table, "name_en", where),
                  acronym=_optional_str(table, "acronym", where),
                  names=tuple(_strs(table, "names", where)),
                  short_names=tuple(_strs(table, "short_names", where)),
                  session_names=tuple(_strs(table, "session_names", where)),
                  numbered_sessions=_bool(table, "numbered_sessions", where))


def _source_keys(reference: Reference) -> list[tuple[str, str]]:
    keys = [(f"[[cluster]] {c.letter}", c.source) for c in reference.clusters]
    keys.append(("[immediate_implementation]", reference.immediate_source))
    keys += [(f"[[document]] {d.symbol}", d.source) for d in reference.documents]
    keys += [(f"[[{e.kind}]] {e.key}", e.source)
             for e in (reference.organization, *reference.named_entities())]
    return keys


def _table(data: Mapping[str, Any], key: str, where: str) -> Mapping[str, Any]:
    value = data.get(key)
    if not isinstance(value, dict):
        raise _Bad(f"{where or 'top level'}: expected a table [{key}]")
    return value


def _array(data: Mapping[str, Any], key: str) -> list[Mapping[str, Any]]:
    value = data.get(key)
    if not isinstance(value, list) or not value:
        raise _Bad(f"expected at least one [[{key}]] table")
    return value


def _str(table: Mapping[str, Any], key: str, where: str) -> str:
    value = table.get(key)
    if not isinstance(value, str) or not value.strip():
        raise _Bad(f"{where}: expected a non-empty string '{key}'")
    return value


def _optional_str(table: Mapping[str, Any], key: str, where: str) -> str | None:
    return _str(table, key, where) if key in table else None


def _strs(table: Mapping[str, Any], key: str, where: str) -> list[str]:
    value = table.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise _Bad(f"{where}: expected '{key}' to be a list of non-empty strings")
    return value


def _bool(table: Mapping[str, Any], key: str, where: str) -> bool:
    value = table.get(key, True)
    if not isinstance(value, bool):
        raise _Bad(f"{where}: expected '{key}' to be true or false")
    return value


def _ints(table: Mapping[str, Any], key: str, where: str) -> list[int]:
    value = table.get(key)
    if not isinstance(value, list) or not value or not all(isinstance(v, int) for v in value):
        raise _Bad(f"{where}: expected '{key}' to be a list of whole numbers")
    return value


def _date(table: Mapping[str, Any], key: str, where: str) -> dt.date:
    value = table.get(key)
    if not isinstance(value, dt.date):
        raise _Bad(f"{where}: expected '{key}' to be a date (YYYY-MM-DD)")
    return value
