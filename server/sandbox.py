"""What a query or write process may do: how much memory, and no network unless allowed.

The tokeniser (``sparql_scan.py``) already refuses SERVICE and LOAD; this is the second line.
With no SERVICE allowlist, the process is forbidden, by a seccomp filter, to open an IPv4 or
IPv6 socket at all, so no request the tokeniser misreads could make it fetch anything. The
memory limit (RLIMIT_AS) turns a query that would grow without end into an allocation
failure that ends its process, not the machine.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import errno
import logging
import resource
import socket
from dataclasses import dataclass

log = logging.getLogger(__name__)

_SCMP_ACT_ALLOW = 0x7FFF0000
_SCMP_CMP_EQ = 4


def _scmp_act_errno(code: int) -> int:
    return 0x00050000 | (code & 0xFFFF)


class _ArgCmp(ctypes.Structure):
    _fields_ = [("arg", ctypes.c_uint), ("op", ctypes.c_int), ("datum_a", ctypes.c_uint64),
                ("datum_b", ctypes.c_uint64)]


@dataclass(frozen=True)
class Sandbox:
    memory_mb: int
    network: bool  # False: no IPv4/IPv6 sockets

    def argv(self) -> list[str]:
        return [str(self.memory_mb), "net" if self.network else "nonet"]

    @classmethod
    def from_argv(cls, memory: str, network: str) -> Sandbox:
        return cls(int(memory), network == "net")

    def enter(self) -> None:
        """Apply the limits to this process (irreversibly)."""
        limit = self.memory_mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
        if not self.network:
            _deny_network()


def _deny_network() -> None:
    name = ctypes.util.find_library("seccomp") or "libseccomp.so.2"
    try:
        lib = ctypes.CDLL(name, use_errno=True)
    except OSError:
        log.warning("libseccomp is not installed: query processes can open network sockets; "
                    "only the request scan stops SERVICE and LOAD")
        return
    lib.seccomp_init.restype = ctypes.c_void_p
    lib.seccomp_init.argtypes = [ctypes.c_uint32]
    lib.seccomp_rule_add_array.argtypes = [ctypes.c_void_p, ctypes.c_uint32, ctypes.c_int,
                                           ctypes.c_uint, ctypes.POINTER(_ArgCmp)]
    lib.seccomp_syscall_resolve_name.argtypes = [ctypes.c_char_p]
    lib.seccomp_load.argtypes = [ctypes.c_void_p]
    lib.seccomp_release.argtypes = [ctypes.c_void_p]
    context = lib.seccomp_init(_SCMP_ACT_ALLOW)
    syscall = lib.seccomp_syscall_resolve_name(b"socket")
    try:
        for family in (socket.AF_INET, socket.AF_INET6):
            rule = _ArgCmp(0, _SCMP_CMP_EQ, family, 0)
            if lib.seccomp_rule_add_array(context, _scmp_act_errno(errno.EACCES), syscall, 1,
                                          ctypes.byref(rule)) != 0:
                raise OSError("seccomp_rule_add failed")
        if lib.seccomp_load(context) != 0:
            raise OSError("seccomp_load failed")
    except OSError as e:
        log.warning("could not forbid network sockets to a query process: %s", e)
    finally:
        lib.seccomp_release(context)
