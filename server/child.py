"""Child processes of the web server: query processes (``worker.py``) and write processes
(``writer.py``), started, framed and sandboxed the same way.

A child is ``python -m <module> <in-fd> <out-fd> <parent-pid> <sandbox…> <args…>``: it inherits two
pipes, asks Linux to kill it when the thread that started it goes, enters its sandbox, says
it is ready, and then answers each frame it reads with one frame, until its parent closes
the pipe (or, for a write process, after one answer).
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import select
import signal
import subprocess
import sys
from collections.abc import Callable

from .framing import read_frame, write_frame
from .sandbox import Sandbox

READY = "ready"


class ChildTimeout(Exception):
    """The child did not answer in time (it is still running: kill it)."""


class ChildDied(Exception):
    """The child ended without answering. ``code`` is its exit status (negative: a signal)."""

    def __init__(self, message: str, code: int | None) -> None:
        super().__init__(message)
        self.code = code

    @property
    def out_of_memory(self) -> bool:
        """An allocation failure under the memory limit aborts the process (SIGABRT)."""
        return self.code == -signal.SIGABRT


class Child:
    """One sandboxed child process running ``module``, ready to take frames."""

    def __init__(self, module: str, sandbox: Sandbox, startup_timeout: float,
                 args: tuple[str, ...] = ()) -> None:
        to_child_r, to_child_w = os.pipe()
        from_child_r, from_child_w = os.pipe()
        try:
            self.process = subprocess.Popen(
                [sys.executable, "-m", module, str(to_child_r), str(from_child_w),
                 str(os.getpid()), *sandbox.argv(), *args],
                pass_fds=(to_child_r, from_child_w), stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL, close_fds=True, env=child_environment())
        finally:
            os.close(to_child_r)
            os.close(from_child_w)
        self._from_child = from_child_r
        self._inbox = os.fdopen(from_child_r, "rb")
        self._outbox = os.fdopen(to_child_w, "wb")
        try:
            if self.receive(startup_timeout) != READY:
                raise ChildDied("the child process did not start", None)
        except (ChildTimeout, ChildDied):
            self.kill()
            raise

    @property
    def pid(self) -> int:
        return self.process.pid

    def send(self, message: object) -> None:
        try:
            write_frame(self._outbox, message)
        except OSError as e:  # it died first (BrokenPipeError)
            raise self._died() from e

    def receive(self, timeout: float) -> object:
        """The child's next frame; ``ChildTimeout`` if none in ``timeout`` seconds."""
        poller = select.poll()
        poller.register(self._from_child, select.POLLIN | select.POLLHUP)
        if not poller.poll(timeout * 1000):
            raise ChildTimeout(f"no answer within {timeout:g} s")
        message = read_frame(self._inbox)
        if message is None:
            raise self._died()
        return message

    def ask(self, message: object, timeout: float) -> object:
        self.send(message)
        return self.receive(timeout)

    def _died(self) -> ChildDied:
        try:
            code: int | None = self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            code = None
        return ChildDied(f"the child process died ({describe_exit(code)})", code)

    def kill(self) -> None:
        with contextlib.suppress(ProcessLookupError, subprocess.TimeoutExpired):
            self.process.kill()
            self.process.wait(timeout=5)
        for stream in (self._inbox, self._outbox):
            with contextlib.suppress(OSError):
                stream.close()

    def close(self) -> None:
        """Close its pipe (it ends its loop and exits) and reap it."""
        with contextlib.suppress(OSError):
            self._outbox.close()
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.process.wait(timeout=5)
        self.kill()


def child_environment() -> dict[str, str]:
    """No Rust backtraces in the logs when an allocation fails under the memory limit (that
    is an expected way for a query to end). At most two malloc arenas: glibc reserves 64 MB of
    address space for each thread's arena, which RLIMIT_AS counts though it is never used, so
    RocksDB's threads alone took some 450 MB of a 700 MB limit and a thread could not start
    (an abort read as 'the query needed more than N MB')."""
    return {**os.environ, "RUST_BACKTRACE": "0", "MALLOC_ARENA_MAX": "2"}


def describe_exit(code: int | None) -> str:
    if code is None:
        return "still running"
    if code < 0:
        return f"killed by {signal.Signals(-code).name}"
    return f"exit status {code}"


def serve(argv: list[str], handle: Callable[[object], object], *, once: bool = False) -> int:
    """The child's side: enter the sandbox, then answer frames with ``handle``.

    ``argv`` is the child's ``sys.argv``; its own arguments are ``argv[6:]``."""
    read_fd, write_fd, parent = (int(a) for a in argv[1:4])
    _die_with_parent()
    if os.getppid() != parent:  # the parent went before prctl took effect
        return 1
    # Ctrl-C reaches the whole process group; the parent ends its children itself (closing
    # their pipe, or killing them), and a traceback from each would only clutter the log.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    Sandbox.from_argv(*argv[4:6]).enter()
    sys.stdout = sys.stderr  # the result pipe carries frames only
    inbox, outbox = os.fdopen(read_fd, "rb"), os.fdopen(write_fd, "wb")
    write_frame(outbox, READY)
    while (message := read_frame(inbox)) is not None:
        write_frame(outbox, handle(message))
        if once:
            break
    return 0


def _die_with_parent() -> None:
    """Ask Linux to kill this process when the thread that started it goes."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):  # not Linux: the closed pipe still ends the loop
        pass
