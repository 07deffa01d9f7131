"""The server's keys at rest: one JSON key file, mode 0600, never in the store or in Redis.

    <data>/keys.json (or --keys-file PATH)   the key ring (command_center.credentials.KeyRing):
                                             session key, bus key, one key per device kind,
                                             each credential's generation and state
    <key file>.lock                          flock'd by whoever changes the ring

Every process of one wall (several with ``--redis``) must read the same file. Changes (the
CLI's ``rotate-keys``, ``credentials revoke``) write a new file beside it and rename it over
the old one; a running server notices the new inode or mtime within ``RELOAD_CHECK_S`` and
reloads, so revocations reach it without a restart.

Revocations and generations live here and not in the store because they change together
with the keys they qualify (a rotation resets the generations of its kind in the same write),
every check reads them without a round trip to Redis, and the one file to protect and back
up holds all authentication material.

Keys of older versions sat in the store (``secret:device``, ``secret:session``): the first
start moves them into the file (existing kiosk URLs and sessions keep working) and deletes
them from the store.
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import logging
import os
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from pydantic import ValidationError

from command_center.credentials import DeviceCredentials, KeyRing, new_ring, secret_bytes
from command_center.store import Store

log = logging.getLogger(__name__)

KEYS_FILENAME = "keys.json"
RELOAD_CHECK_S = 1.0  # how stale a running server's view of the file may be, at most


class KeyFileError(RuntimeError):
    """The key file cannot be read or written; the message names the file."""


def key_file_path(data_dir: Path, keys_file: Path | None) -> Path:
    return keys_file if keys_file is not None else data_dir / KEYS_FILENAME


class KeyFile:
    """The key ring on disk, re-read when the file is replaced (``KeyRingSource``)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._ring: KeyRing | None = None
        self._stamp: tuple[int, int, int] | None = None
        self._checked = 0.0
        self.created = False  # by this open: the first start, whose output shows the tokens

    @classmethod
    def open(
        cls,
        path: Path,
        legacy_device: bytes | None = None,
        legacy_session: bytes | None = None,
    ) -> KeyFile:
        """Open the file, creating it (from the legacy keys if given) when missing."""
        file = cls(path)
        with file._locked():
            if not path.exists():
                file._write(new_ring(legacy_device, legacy_session, time.time()))
                file.created = True
                log.info("created the key file %s", path)
            file._load()
        return file

    def current(self) -> KeyRing:
        now = time.monotonic()
        if self._ring is None or now - self._checked >= RELOAD_CHECK_S:
            self._checked = now
            try:
                if self._ring is None or _stamp(self.path) != self._stamp:
                    self._load()
            except (OSError, KeyFileError) as exc:
                if self._ring is None:
                    raise
                # A broken replacement must not lock every device out: keep the last good ring.
                log.error("key file %s not reloaded, keeping the previous keys: %s", self.path, exc)
        assert self._ring is not None
        return self._ring

    def update(self, change: Callable[[KeyRing], KeyRing]) -> KeyRing:
        """Apply ``change`` to the ring on disk, atomically against other writers."""
        with self._locked():
            self._load()
            assert self._ring is not None
            ring = change(self._ring)
            self._write(ring)
            self._load()
        return ring

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        lock = self.path.with_name(self.path.name + ".lock")
        fd = os.open(lock, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            yield
        finally:
            os.close(fd)  # releases the lock

    def _load(self) -> None:
        try:
            stamp = _stamp(self.path)
            text = self.path.read_bytes()
        except OSError as exc:
            raise KeyFileError(f"cannot read the key file {self.path}: {exc}") from None
        try:
            ring = KeyRing.model_validate_json(text)
        except ValidationError as exc:
            raise KeyFileError(
                f"the key file {self.path} is not a valid key ring "
                f"({exc.error_count()} error(s), first: {exc.errors()[0]['msg']})"
            ) from None
        self._ring, self._stamp = ring, stamp

    def _write(self, ring: KeyRing) -> None:
        tmp = self.path.with_name(f".{self.path.name}.{os.getpid()}.tmp")
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            os.write(fd, ring.model_dump_json(indent=1).encode())
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, self.path)
        dir_fd = os.open(self.path.parent, os.O_RDONLY)
        try:
            os.fsync(dir_fd)  # the rename itself survives a power cut
        finally:
            os.close(dir_fd)


@dataclass(frozen=True)
class Keys:
    file: KeyFile
    # Screen, bridge-point and agency credentials: ``await keys.devices.check(...)``.
    devices: DeviceCredentials

    @property
    def created(self) -> bool:
        """The key file was made at this start (a first start: print the tokens once)."""
        return self.file.created

    @property
    def session(self) -> bytes:
        """Signs console and API sessions."""
        return secret_bytes(self.file.current().session)

    @property
    def bus(self) -> bytes:
        """Signs every message on the Redis bus (Redis never holds it)."""
        return secret_bytes(self.file.current().bus)


async def load_keys(store: Store, path: Path) -> Keys:
    """The key file at ``path``, created on first start (moving an older store's keys in)."""
    device = session = None
    if not await asyncio.to_thread(path.exists):
        device = await store.legacy_secret("device")
        session = await store.legacy_secret("session")
    # Off the loop: another process may hold the file's lock for a moment.
    file = await asyncio.to_thread(KeyFile.open, path, device, session)
    for name in ("device", "session"):
        await store.delete_legacy_secret(name)
    return Keys(file, DeviceCredentials(file, store))


def _stamp(path: Path) -> tuple[int, int, int]:
    st = os.stat(path)
    return (st.st_ino, st.st_mtime_ns, st.st_size)
