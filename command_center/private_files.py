"""Secrets at rest: the data folder and everything in it readable by the service user only.

private_umask()          umask 077 for the process: every file it creates is 0600
check_key_material(...)  refuse to start when a file holding keys or password hashes is
                         readable by group or others (it may have leaked: the operator
                         decides, runs the chmod we name, and perhaps rotates the keys)
make_private(data_dir)   the folder 0700, every other file in it 0600 (SQLite's -wal
                         and -shm included), fixed silently at every start
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterable
from pathlib import Path

from command_center.errors import WallError

# The embedded store: password hashes, sessions, the keys of older versions.
KEY_MATERIAL_FILES = ("wall.sqlite3", "wall.sqlite3-wal", "wall.sqlite3-shm")


class ExposedSecretError(WallError):
    """A file holding key material is readable by other users."""

    status = 500
    code = "exposed_secret"


def private_umask() -> None:
    os.umask(0o077)


def key_material(data_dir: Path, key_file: Path) -> list[Path]:
    return [key_file, *(data_dir / name for name in KEY_MATERIAL_FILES)]


def check_key_material(paths: Iterable[Path]) -> None:
    """ExposedSecretError naming every exposed file and the command that fixes it."""
    exposed = []
    for path in paths:
        try:
            mode = path.stat().st_mode
        except FileNotFoundError:
            continue
        if mode & 0o077:
            exposed.append(path)
    if exposed:
        names = " ".join(str(p) for p in exposed)
        raise ExposedSecretError(
            f"refusing to start: {', '.join(str(p) for p in exposed)} holds keys or password "
            f"hashes and is readable by other users (mode "
            f"{stat.filemode(exposed[0].stat().st_mode)}); run: chmod 600 {names} "
            "(and consider 'run_wall.py rotate-keys' if others may have read it)"
        )


def make_private(data_dir: Path) -> None:
    """The data folder 0700 and every file directly in it 0600; ours only.

    Sub-folders are left as they are: behind a 0700 folder nobody else reaches them, and
    one may be shared on purpose (an agency's drop folder placed there).
    """
    uid = os.geteuid()
    _chmod(data_dir, 0o700, uid)
    for path in data_dir.iterdir():
        if path.is_file() and not path.is_symlink():
            _chmod(path, 0o600, uid)


def _chmod(path: Path, mode: int, uid: int) -> None:
    st = path.lstat()
    # Symlinks and files of other users (a watched drop folder's reports) are left alone.
    if stat.S_ISLNK(st.st_mode) or st.st_uid != uid:
        return
    if stat.S_IMODE(st.st_mode) & ~mode:
        os.chmod(path, stat.S_IMODE(st.st_mode) & mode)
