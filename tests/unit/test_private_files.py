"""Secrets at rest: the data folder made private, exposed key material refused."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from command_center.private_files import (
    ExposedSecretError,
    check_key_material,
    key_material,
    make_private,
)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.lstat().st_mode)


def test_make_private_fixes_the_folder_and_its_files_only(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir(mode=0o755)
    data.chmod(0o755)
    for name in ("wall.sqlite3", "wall.sqlite3-wal", "observations.sqlite3"):
        (data / name).write_bytes(b"x")
        (data / name).chmod(0o644)
    outside = tmp_path / "outside.txt"
    outside.write_text("not ours to change")
    outside.chmod(0o644)
    (data / "link").symlink_to(outside)
    shared = data / "drop"
    shared.mkdir()
    shared.chmod(0o775)
    make_private(data)
    assert mode(data) == 0o700
    assert all(mode(data / n) == 0o600 for n in ("wall.sqlite3", "wall.sqlite3-wal"))
    assert mode(outside) == 0o644  # a symlink's target is left alone
    assert mode(shared) == 0o775  # sub-folders too (behind the 0700 folder)


@pytest.mark.skipif(os.geteuid() != 0, reason="needs root to give a file to another user")
def test_make_private_leaves_other_users_files_alone(tmp_path: Path) -> None:
    theirs = tmp_path / "report.csv"
    theirs.write_text("a,b")
    theirs.chmod(0o644)
    os.chown(theirs, 65534, 65534)
    make_private(tmp_path)
    assert mode(theirs) == 0o644


def test_exposed_key_material_is_named_with_the_fix(tmp_path: Path) -> None:
    key_file = tmp_path / "keys.json"
    key_file.write_text("{}")
    key_file.chmod(0o640)
    (tmp_path / "wall.sqlite3").write_bytes(b"x")
    (tmp_path / "wall.sqlite3").chmod(0o600)
    (tmp_path / "wall.sqlite3-shm").write_bytes(b"x")
    (tmp_path / "wall.sqlite3-shm").chmod(0o604)
    with pytest.raises(ExposedSecretError) as caught:
        check_key_material(key_material(tmp_path, key_file))
    message = caught.value.message
    assert f"chmod 600 {key_file} {tmp_path / 'wall.sqlite3-shm'}" in message
    assert str(tmp_path / "wall.sqlite3") + " " not in message.split("run:")[0]
    key_file.chmod(0o600)
    (tmp_path / "wall.sqlite3-shm").chmod(0o600)
    check_key_material(key_material(tmp_path, key_file))  # nothing exposed: no error
