"""The format of a response, negotiated from the request (a ``format``/``output`` parameter or
``Accept``), with the protocol's errors: 400 for an unknown format, 406 when nothing fits."""

from __future__ import annotations

from flask import request

from . import formats
from .errors import bad_request, not_acceptable


def choose_format(kind: formats.Kind) -> formats.Format:
    try:
        return formats.choose_for_header(kind, request.headers.get("Accept", ""),
                                         format_parameter())
    except formats.UnknownFormat as e:
        raise bad_request(str(e)) from e
    except formats.NoFormat as e:
        raise not_acceptable(e.offers) from e


def format_parameter() -> str | None:
    """The first ``format``, ``output`` or ``results`` parameter given (clients send one or
    all three alike)."""
    values = request.values
    for name in formats.FORMAT_PARAMETERS:
        value = values.get(name)
        if value:
            return value
    return None
