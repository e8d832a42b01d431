"""One gzip file from pieces compressed apart (``gzip_join``)."""

from __future__ import annotations

import gzip
import random
import zlib

import pytest

from dakg.graph.gzip_join import HEADER, deflated, trailer


def _pieces(seed: int) -> list[bytes]:
    chance = random.Random(seed)
    return [chance.randbytes(chance.randint(0, 3000)) + b"<s> <p> <o> .\n" * chance.randint(0, 5000)
            for _ in range(12)] + [b""]


@pytest.mark.parametrize("seed", range(3))
def test_pieces_laid_end_to_end_are_one_gzip_member(seed: int) -> None:
    pieces = _pieces(seed)
    compressed = [deflated(p) for p in pieces]
    whole = HEADER + b"".join(c for c, _ in compressed) + trailer(k for _, k in compressed)
    member = zlib.decompressobj(wbits=31)  # checks the CRC-32 and length of the trailer
    assert member.decompress(whole) == b"".join(pieces)
    assert member.eof and not member.unused_data
    assert gzip.decompress(whole) == b"".join(pieces)


def test_nothing_is_an_empty_gzip_file() -> None:
    assert gzip.decompress(HEADER + trailer([])) == b""

