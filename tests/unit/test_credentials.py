"""Device credentials: per-kind keys, generations, revocation, rotation, the key file."""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import stat
from pathlib import Path

import pytest

from command_center.credentials import (
    CredentialState,
    DeviceCredentials,
    DeviceKind,
    KeyRing,
    check_token,
    credential_rows,
    issue_token,
    new_ring,
    reissued,
    revoked,
    rotated,
)
from command_center.server.keys import KeyFile, KeyFileError, load_keys
from command_center.store import CredentialUse, EmbeddedStore

RING = new_ring()


def test_token_format_is_kid_generation_signature() -> None:
    token = issue_token(RING, "agency", "bo_y_te")
    kid, generation, sig = token.split("-", 2)
    assert kid == RING.kinds[DeviceKind.AGENCY].kid and generation == "1" and len(sig) == 43
    assert check_token(RING, "agency", "bo_y_te", token)


@pytest.mark.parametrize(
    ("kind", "ident", "token_of"),
    [
        ("screen", "left-top", ("agency", "left-top")),
        ("bridge", "hue", ("screen", "hue")),
        ("agency", "bo_y_te", ("agency", "bo_tai_chinh")),
        ("nonsense", "hue", ("bridge", "hue")),
    ],
    ids=["agency-as-screen", "screen-as-bridge", "other-agency", "unknown-kind"],
)
def test_a_token_is_good_for_its_own_kind_and_id_only(
    kind: str, ident: str, token_of: tuple[str, str]
) -> None:
    assert not check_token(RING, kind, ident, issue_token(RING, *token_of))


@pytest.mark.parametrize(
    "token", ["", "-", "x-1-y", "ñ-not-ascii", "00000000-1-" + "A" * 43], ids=repr
)
def test_malformed_tokens_are_refused(token: str) -> None:
    assert not check_token(RING, "screen", "left-top", token)


def test_revoke_one_credential_keeps_the_others() -> None:
    ring = revoked(RING, "agency", "bo_y_te")
    assert not check_token(ring, "agency", "bo_y_te", issue_token(RING, "agency", "bo_y_te"))
    assert check_token(ring, "agency", "bo_tai_chinh", issue_token(RING, "agency", "bo_tai_chinh"))
    with pytest.raises(ValueError, match="revoked; reissue it first"):
        issue_token(ring, "agency", "bo_y_te")
    # A reissue brings it back with a new generation: the stolen token stays dead.
    again = reissued(ring, "agency", "bo_y_te")
    assert again.credential(DeviceKind.AGENCY, "bo_y_te").generation == 2
    assert check_token(again, "agency", "bo_y_te", issue_token(again, "agency", "bo_y_te"))
    assert not check_token(again, "agency", "bo_y_te", issue_token(RING, "agency", "bo_y_te"))


def test_rotate_one_kind_kills_its_tokens_only() -> None:
    ring = rotated(revoked(reissued(RING, "screen", "a"), "screen", "b"), "screen")
    assert ring.kinds[DeviceKind.SCREEN].kid != RING.kinds[DeviceKind.SCREEN].kid
    assert not check_token(ring, "screen", "c", issue_token(RING, "screen", "c"))
    assert check_token(ring, "screen", "c", issue_token(ring, "screen", "c"))
    assert check_token(ring, "agency", "x", issue_token(RING, "agency", "x"))
    # Generations start again; a revoked credential stays revoked through a rotation.
    assert ring.credential(DeviceKind.SCREEN, "a").generation == 1
    assert ring.credential(DeviceKind.SCREEN, "b").state is CredentialState.REVOKED


def _legacy(key: bytes, kind: str, ident: str) -> str:
    mac = hmac.digest(key, f"{kind}:{ident}".encode(), hashlib.sha256)
    return base64.urlsafe_b64encode(mac).rstrip(b"=").decode()


def test_tokens_of_older_versions_work_until_their_kind_is_rotated() -> None:
    old = b"d" * 32
    ring = new_ring(legacy_device=old)
    assert check_token(ring, "screen", "left-top", _legacy(old, "screen", "left-top"))
    assert not check_token(ring, "bridge", "left-top", _legacy(old, "screen", "left-top"))
    assert not check_token(
        revoked(ring, "screen", "left-top"),
        "screen",
        "left-top",
        _legacy(old, "screen", "left-top"),
    )
    assert not check_token(
        rotated(ring, "screen"), "screen", "left-top", _legacy(old, "screen", "left-top")
    )
    # Never when the kind's key is not a migrated one.
    assert not check_token(RING, "screen", "left-top", _legacy(old, "screen", "left-top"))


def test_key_file_is_private_and_reloaded_when_replaced(tmp_path: Path) -> None:
    path = tmp_path / "keys.json"
    reader = KeyFile.open(path)
    assert reader.created
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    writer = KeyFile.open(path)
    assert not writer.created and writer.current() == reader.current()
    devices = DeviceCredentials(writer)
    token = devices.issue("agency", "bo_y_te")
    devices.revoke("agency", "bo_y_te")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    reader._checked = 0.0  # as if RELOAD_CHECK_S had passed
    assert not check_token(reader.current(), "agency", "bo_y_te", token)


def test_a_broken_key_file_names_itself(tmp_path: Path) -> None:
    path = tmp_path / "keys.json"
    fd = os.open(path, os.O_WRONLY | os.O_CREAT, 0o600)
    os.write(fd, b'{"session": 1}')
    os.close(fd)
    with pytest.raises(KeyFileError, match=f"{path} is not a valid key ring"):
        KeyFile.open(path)


async def test_keys_of_an_older_store_move_into_the_key_file(tmp_path: Path) -> None:
    store = await EmbeddedStore.open(tmp_path)
    try:
        old = b"o" * 32
        await store._run(
            lambda conn: conn.executemany(
                "INSERT INTO secrets (name, value) VALUES (?, ?)",
                [("device", old), ("session", b"s" * 32)],
            )
        )
        keys = await load_keys(store, tmp_path / "keys.json")
        assert keys.session == b"s" * 32
        assert await keys.devices.check("screen", "left-top", _legacy(old, "screen", "left-top"))
        assert await store.legacy_secret("device") is None
        assert await store.legacy_secret("session") is None
        # A second start keeps the migrated keys (from the file now).
        again = await load_keys(store, tmp_path / "keys.json")
        assert again.session == b"s" * 32 and not again.created
        await keys.devices.flush()
    finally:
        await store.close()


async def test_checks_record_last_use_once_a_minute(tmp_path: Path) -> None:
    store = await EmbeddedStore.open(tmp_path)
    try:
        keys = await load_keys(store, tmp_path / "keys.json")
        token = keys.devices.issue("agency", "bo_y_te")
        assert await keys.devices.check("agency", "bo_y_te", token, "10.0.0.7")
        assert await keys.devices.check("agency", "bo_y_te", token, "10.0.0.8")  # throttled
        assert not await keys.devices.check("agency", "bo_y_te", "wrong", "10.0.0.9")
        await keys.devices.flush()
        (use,) = await store.credential_uses()
        assert (use.kind, use.ident, use.address) == ("agency", "bo_y_te", "10.0.0.7")
        rows = await credential_rows(
            keys.file.current(), store, {DeviceKind.AGENCY: ["bo_y_te", "bo_tai_chinh"]}
        )
        assert [(r["id"], r["state"], r["last_address"]) for r in rows] == [
            ("bo_tai_chinh", "active", None),
            ("bo_y_te", "active", "10.0.0.7"),
        ]
        assert all("token" not in r for r in rows)
    finally:
        await store.close()


async def test_rows_list_revoked_and_used_credentials_beyond_the_registry(
    tmp_path: Path,
) -> None:
    store = await EmbeddedStore.open(tmp_path)
    try:
        await store.record_credential_use(
            CredentialUse(kind="screen", ident="gone", at=1.0, address="10.1.1.1")
        )
        ring: KeyRing = revoked(RING, "bridge", "hue")
        rows = await credential_rows(ring, store, {})
    finally:
        await store.close()
    assert [(r["kind"], r["id"], r["state"]) for r in rows] == [
        ("screen", "gone", "active"),
        ("bridge", "hue", "revoked"),
    ]


def test_synchronous_check_outside_a_loop(tmp_path: Path) -> None:
    devices = DeviceCredentials(KeyFile.open(tmp_path / "keys.json"))
    token = devices.issue("screen", "left-top")
    assert devices.check_now("screen", "left-top", token, "10.0.0.1")
    assert not devices.check_now("bridge", "left-top", token)
