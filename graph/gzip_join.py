"""One gzip file from pieces compressed apart, in other processes, without compressing twice.

A gzip file could be several members one after another (RFC 1952 §2.2), and ``gzip -d`` and
Python read that, but curl refuses a multi-member body sent with ``Content-Encoding: gzip``
(curl/curl#22156: it decodes the first member and fails), so the dumps are each one member,
made as pigz makes one: every piece is a raw DEFLATE stream (RFC 1951) ended by a sync flush
(an empty stored block: it ends on a byte, and is not the final block), so pieces laid end to
end are one stream; a final empty block closes it, and the trailer's CRC-32 is combined from
the pieces' own (``crc32_combine``, zlib's algorithm: Python's ``zlib`` does not offer it).
Each piece is compressed without a dictionary: nothing in it refers to what comes before.
"""

from __future__ import annotations

import struct
import zlib
from collections.abc import Iterable
from dataclasses import dataclass

LEVEL = 6  # zlib's default

# RFC 1952 §2.3: the magic bytes, DEFLATE, no flags, no time (the same data gives the same
# bytes), no extra flags, operating system unknown.
HEADER = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff"
# A final block with nothing in it (fixed Huffman codes: the end-of-block code alone).
_FINAL = zlib.compressobj(LEVEL, zlib.DEFLATED, -15).flush()
_POLY = 0xEDB88320  # CRC-32's polynomial, reflected


@dataclass(frozen=True)
class Check:
    """What a trailer needs of a piece: the CRC-32 and length of its plain bytes."""

    crc: int = 0
    size: int = 0


class Deflater:
    """A piece compressed as its data comes (``compress`` each part, then ``finish``)."""

    def __init__(self) -> None:
        self._compressor = zlib.compressobj(LEVEL, zlib.DEFLATED, -15)
        self._crc = self._size = 0

    def compress(self, data: bytes) -> bytes:
        self._crc = zlib.crc32(data, self._crc)
        self._size += len(data)
        return self._compressor.compress(data)

    def finish(self) -> tuple[bytes, Check]:
        """The rest of the piece (raw DEFLATE ending on a sync flush), and its check; nothing
        for a piece without data."""
        if not self._size:
            return b"", Check()
        return self._compressor.flush(zlib.Z_SYNC_FLUSH), Check(self._crc, self._size)


def deflated(data: bytes) -> tuple[bytes, Check]:
    """``data`` as a piece, and its check."""
    deflater = Deflater()
    compressed = deflater.compress(data)
    rest, check = deflater.finish()
    return compressed + rest, check


def trailer(checks: Iterable[Check]) -> bytes:
    """What follows the pieces, in their order: the final block, the CRC-32 of all their
    plain bytes and their length (modulo 2³², as RFC 1952 says)."""
    crc = size = 0
    for check in checks:
        crc = crc32_combine(crc, check.crc, check.size)
        size += check.size
    return _FINAL + struct.pack("<II", crc, size & 0xFFFFFFFF)


def crc32_combine(crc1: int, crc2: int, size2: int) -> int:
    """The CRC-32 of ``a + b`` from ``crc32(a)``, ``crc32(b)`` and ``len(b)`` (zlib's
    ``crc32_combine``: ``crc1`` times x^(8·size2), modulo the polynomial, plus ``crc2``)."""
    return _multiply(_x_to_the_2n(size2, 3), crc1) ^ crc2


def _multiply(a: int, b: int) -> int:
    """a·b modulo the polynomial (bit-reflected: bit 31 is x⁰)."""
    m, product = 1 << 31, 0
    while True:
        if a & m:
            product ^= b
            if not a & (m - 1):
                return product
        m >>= 1
        b = (b >> 1) ^ _POLY if b & 1 else b >> 1


def _powers() -> list[int]:
    """x^(2^k) modulo the polynomial, for k < 32."""
    power, table = 1 << 30, []  # x¹
    for _ in range(32):
        table.append(power)
        power = _multiply(power, power)
    return table


_X_2K = _powers()


def _x_to_the_2n(n: int, k: int) -> int:
    """x^(n·2^k) modulo the polynomial."""
    power = 1 << 31  # x⁰
    while n:
        if n & 1:
            power = _multiply(_X_2K[k & 31], power)
        n >>= 1
        k += 1
    return power
