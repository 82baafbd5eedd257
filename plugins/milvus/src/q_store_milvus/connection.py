"""Opening and closing a Milvus client, and turning Milvus failures into typed errors.

milvus-lite runs its engine inside this process (a gRPC server on loopback in a thread), one per
data directory, guarded by an exclusive ``flock`` on ``<dir>/LOCK``. pymilvus starts the engine on
the first client of a path and keeps it for the life of the process; this module counts the
stores using each path and stops the engine when the last one closes, so that ``close()``
really releases the directory (another process may then open it).
"""

from __future__ import annotations

import contextlib
import os
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Final

from pymilvus import MilvusClient
from pymilvus.exceptions import MilvusException

from q_store.errors import VectorStoreError
from q_store_milvus.options import MilvusOptions

__all__ = ["close_client", "milvus_errors", "open_client"]

LOCK_FILE: Final = "LOCK"
_engine_users: dict[Path, int] = {}
_engine_lock = threading.Lock()


def open_client(options: MilvusOptions) -> MilvusClient:
    """A connected client; raises VectorStoreError naming the location when that fails."""
    if options.local_path is None:
        token = options.token.reveal() if options.token is not None else ""
        with milvus_errors(f"connecting to {options.location}", secret=token):
            return MilvusClient(
                uri=options.uri, token=token, db_name=options.db_name or "", timeout=options.timeout
            )
    path = options.local_path
    with _engine_lock:
        if path not in _engine_users:
            _refuse_if_locked(path)
        try:
            client = MilvusClient(uri=str(path), timeout=options.timeout)
        except MilvusException as exc:
            _refuse_if_locked(path)
            raise VectorStoreError(f"could not open milvus-lite at {str(path)!r}: {exc.message}") from exc
        _engine_users[path] = _engine_users.get(path, 0) + 1
        return client


def close_client(client: MilvusClient, options: MilvusOptions) -> None:
    """Close ``client``; stop the embedded engine when no other store of this process uses it."""
    client.close()
    path = options.local_path
    if path is None:
        return
    with _engine_lock:
        remaining = _engine_users.get(path, 1) - 1
        if remaining > 0:
            _engine_users[path] = remaining
            return
        _engine_users.pop(path, None)
        from milvus_lite.server_manager import server_manager_instance

        server_manager_instance.release_server(str(path))


@contextlib.contextmanager
def milvus_errors(action: str, *, secret: str = "") -> Iterator[None]:
    """Re-raise pymilvus failures as VectorStoreError("milvus <action> failed: ...")."""
    try:
        yield
    except MilvusException as exc:
        message = exc.message or type(exc).__name__
        if secret:
            message = message.replace(secret, "********")
        raise VectorStoreError(f"milvus {action} failed: {message}") from exc


def _refuse_if_locked(path: Path) -> None:
    holder = lock_holder(path)
    if holder is None:
        return
    who = "another process" if holder == 0 else f"process {holder}"
    raise VectorStoreError(
        f"the milvus-lite data directory {str(path)!r} is locked by {who}: milvus-lite lets one "
        "process at a time open a data directory. Close the store there, use another uri, or run a "
        "Milvus server (uri='http://host:19530') to share data between processes."
    )


def lock_holder(path: Path) -> int | None:
    """The process holding milvus-lite's lock on ``path`` (0 when it is held by a process we
    cannot name), or None when no other process holds it.

    On Linux the holder is read from /proc/locks, which does not disturb the lock. Elsewhere a
    non-blocking ``flock`` probe answers (held or not) without naming the holder.
    """
    lock_file = path / LOCK_FILE
    try:
        status = lock_file.stat()
    except OSError:
        return None  # a fresh directory: nobody can hold it
    try:
        table = Path("/proc/locks").read_text()
    except OSError:
        return _probe(lock_file)
    where = f"{os.major(status.st_dev):02x}:{os.minor(status.st_dev):02x}:{status.st_ino}"
    for line in table.splitlines():
        fields = line.split()
        # "1: FLOCK  ADVISORY  WRITE 31275 fe:00:2206064 0 EOF"
        if len(fields) >= 6 and fields[1] == "FLOCK" and fields[5] == where:
            holder = int(fields[4]) if fields[4].isdigit() else 0
            return None if holder == os.getpid() else holder
    return None


def _probe(lock_file: Path) -> int | None:
    try:
        import fcntl
    except ImportError:  # Windows: let milvus-lite report it
        return None
    descriptor = os.open(lock_file, os.O_RDWR)
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return 0
    finally:
        os.close(descriptor)  # closing also drops our probe lock at once
    return None
