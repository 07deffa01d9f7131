"""An agency's drop folder, touched only through directory descriptors, never by path.

The agency writes into the folder; we move its files into ``accepted/`` and ``rejected/``
and write an errors file beside a rejected one. Whoever writes there can plant a symlink
named ``accepted`` (or a report named like one we are about to write) pointing anywhere the
service may write. So:

* the folder and its two sub-folders are opened once as directory descriptors
  (``O_DIRECTORY | O_NOFOLLOW``), checked to be real directories owned by the service's
  user and not writable by others, and every later operation is relative to those
  descriptors: a sub-folder swapped for a symlink afterwards is never followed;
* a report is opened with ``O_NOFOLLOW`` and read through the descriptor, at most
  ``limit`` bytes;
* files we write are created with ``O_EXCL | O_NOFOLLOW``: never through an existing name.
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
from pathlib import Path

ACCEPTED = "accepted"
REJECTED = "rejected"
_DIR_FLAGS = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC


class UnsafeFolder(OSError):
    """The folder or one of its sub-folders is not a directory we may trust."""


def _check_dir(fd: int, where: Path) -> None:
    info = os.fstat(fd)
    if info.st_uid != os.geteuid():
        raise UnsafeFolder(
            f"{where} belongs to uid {info.st_uid}, not this service's uid {os.geteuid()}: "
            f"refusing to move files through it (chown it to the service's user)"
        )
    if info.st_mode & stat.S_IWOTH:
        raise UnsafeFolder(f"{where} is writable by everyone: refusing it (chmod o-w {where})")


def _open_dir(name: str, where: Path, parent: int | None = None) -> int:
    try:
        fd = os.open(name, _DIR_FLAGS, dir_fd=parent)
    except OSError as exc:
        if exc.errno in (errno.ELOOP, errno.ENOTDIR):
            raise UnsafeFolder(
                f"{where} is not a real directory (a symlink or a file): remove it; "
                "it is made again as a directory"
            ) from None
        raise
    try:
        _check_dir(fd, where)
    except BaseException:
        os.close(fd)
        raise
    return fd


class DropFolder:
    """``DropFolder.open(path)``; ``close()`` releases the descriptors."""

    def __init__(self, path: Path, fds: dict[str, int]) -> None:
        self.path = path
        self._fds = fds

    @classmethod
    def open(cls, path: Path) -> DropFolder:
        path.mkdir(parents=True, exist_ok=True)
        top = _open_dir(str(path), path)
        fds = {"": top}
        try:
            for name in (ACCEPTED, REJECTED):
                with contextlib.suppress(FileExistsError):
                    os.mkdir(name, 0o750, dir_fd=top)
                fds[name] = _open_dir(name, path / name, top)
        except BaseException:
            for fd in fds.values():
                os.close(fd)
            raise
        return cls(path, fds)

    def close(self) -> None:
        for fd in self._fds.values():
            os.close(fd)
        self._fds = {}

    def read(self, name: str, limit: int) -> tuple[bytes, tuple[int, int]]:
        """The report's bytes (``limit`` + 1 at most, so the caller sees it was too big)
        and its (size, mtime_ns) at the end of reading. A symlink is never followed."""
        fd = os.open(name, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC, dir_fd=self._fds[""])
        try:
            if not stat.S_ISREG(os.fstat(fd).st_mode):
                raise UnsafeFolder(f"{self.path / name} is not a regular file")
            chunks, left = [], limit + 1
            while left > 0:
                chunk = os.read(fd, min(left, 1 << 20))
                if not chunk:
                    break
                chunks.append(chunk)
                left -= len(chunk)
            info = os.fstat(fd)
        finally:
            os.close(fd)
        return b"".join(chunks), (info.st_size, info.st_mtime_ns)

    def entries(self) -> list[os.DirEntry[str]]:
        """The folder's entries, listed through its descriptor."""
        with os.scandir(self._fds[""]) as found:
            return list(found)

    def exists(self, folder: str, name: str) -> bool:
        try:
            os.stat(name, dir_fd=self._fds[folder], follow_symlinks=False)
        except FileNotFoundError:
            return False
        return True

    def free_name(self, folder: str, name: str, companion_suffix: str = "") -> str:
        """``name``, or ``stem.N.suffix`` with the first N free in ``folder`` (with its
        companion file, e.g. the errors file, free too)."""
        stem, suffix = os.path.splitext(name)
        candidate, number = name, 1
        while self.exists(folder, candidate) or (
            companion_suffix and self.exists(folder, candidate + companion_suffix)
        ):
            number += 1
            candidate = f"{stem}.{number}{suffix}"
        return candidate

    def move(self, name: str, folder: str, target: str) -> Path:
        """Move the report ``name`` to ``folder/target`` (renames the entry itself: a
        symlink planted as the report is moved, never followed)."""
        os.replace(name, target, src_dir_fd=self._fds[""], dst_dir_fd=self._fds[folder])
        return self.path / folder / target

    def write_new(self, folder: str, name: str, text: str) -> Path:
        """Create ``folder/name`` with ``text``; never through an existing name."""
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC
        fd = os.open(name, flags, 0o640, dir_fd=self._fds[folder])
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(text)
        return self.path / folder / name
