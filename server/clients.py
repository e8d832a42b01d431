"""Who a request comes from, for the per-client limits.

By default the client is the address that connected. Behind a reverse proxy that is the
proxy for every request, so the proxy's ``X-Forwarded-For`` is believed, but only from the
proxies named in ``trusted_proxies``: a header from anyone else is ignored, or any client
could name itself anew on every request and escape its limits.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Mapping
from typing import Any

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def networks(proxies: Iterable[str]) -> tuple[Network, ...]:
    """``trusted_proxies`` (addresses or CIDR networks, checked by ``Settings``) parsed."""
    return tuple(ipaddress.ip_network(proxy, strict=False) for proxy in proxies)


def client_address(environ: Mapping[str, Any], trusted: tuple[Network, ...]) -> str:
    """The client's address: the peer, or, when the peer is a trusted proxy, the last
    address in ``X-Forwarded-For`` that is not itself a trusted proxy."""
    peer = str(environ.get("REMOTE_ADDR") or "unknown")
    if not trusted or not is_trusted(peer, trusted):
        return peer
    forwarded = [a.strip() for a in str(environ.get("HTTP_X_FORWARDED_FOR", "")).split(",")]
    for address in reversed([a for a in forwarded if a]):
        if not is_trusted(address, trusted):
            return address
    return peer


def is_trusted(address: str, trusted: tuple[Network, ...]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False  # not an address at all: never a proxy of ours
    return any(ip in network for network in trusted)
