"""Passwords, device tokens, sessions and the role table: pure functions, plus bootstrap on a
real (embedded) store."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest

from command_center.auth import (
    ROLE_LABELS,
    ROLE_PERMISSIONS,
    Permission,
    Principal,
    Role,
    _b64,  # with _session_mac: to sign a payload issue_session never makes
    _session_mac,
    authenticate_user,
    authorize,
    bootstrap_users,
    hash_password,
    issue_session,
    read_session,
    verify_password,
)
from command_center.errors import AuthError, ForbiddenError
from command_center.store import open_store

SECRET = b"k" * 32
NOW = 1_732_700_000.0
DUTY = Principal("trực-ban-1", Role.DUTY_OFFICER)


# --- passwords -----------------------------------------------------------------------


def test_password_hash_verifies_only_the_right_password() -> None:
    password_hash = hash_password("mật khẩu đúng")
    assert password_hash.startswith("$argon2id$")
    assert verify_password(password_hash, "mật khẩu đúng")
    assert not verify_password(password_hash, "mật khẩu sai")


@pytest.mark.parametrize("bad_hash", ["", "plain-text", "$argon2id$v=19$m=1$broken"])
def test_malformed_hash_is_false_not_an_error(bad_hash: str) -> None:
    assert not verify_password(bad_hash, "anything")


# --- sessions ------------------------------------------------------------------------


def test_session_round_trip() -> None:
    token = issue_session(SECRET, DUTY, NOW)
    assert read_session(SECRET, token, NOW + 12 * 3600 - 1) == DUTY


def test_expired_session_says_when() -> None:
    token = issue_session(SECRET, DUTY, NOW, ttl_s=60)
    with pytest.raises(AuthError, match=r"session expired at 2024-11-27 09:34:20 UTC \(5 s ago\)"):
        read_session(SECRET, token, NOW + 65)


def test_session_with_tampered_signature() -> None:
    payload, signature = issue_session(SECRET, DUTY, NOW).split(".")
    forged = ("A" if signature[0] != "A" else "B") + signature[1:]
    with pytest.raises(AuthError, match="bad signature"):
        read_session(SECRET, f"{payload}.{forged}", NOW)


def test_session_signed_with_another_secret() -> None:
    with pytest.raises(AuthError, match="bad signature"):
        read_session(SECRET, issue_session(b"another", DUTY, NOW), NOW)


def test_session_with_tampered_payload() -> None:
    _, signature = issue_session(SECRET, DUTY, NOW).split(".")
    admin_payload = issue_session(SECRET, Principal(DUTY.name, Role.ADMIN), NOW).split(".")[0]
    with pytest.raises(AuthError, match="bad signature"):
        read_session(SECRET, f"{admin_payload}.{signature}", NOW)


@pytest.mark.parametrize("token", ["", "no-dot", ".sig", "payload.", "a.b.c", "ñ.ñ"], ids=repr)
def test_malformed_session(token: str) -> None:
    with pytest.raises(AuthError, match=r"malformed session token|bad signature"):
        read_session(SECRET, token, NOW)


def test_signed_but_unreadable_payload_is_malformed() -> None:
    # Only the holder of the secret could make this; still it must not crash the reader.
    payload = _b64(b'{"name": "x"}')
    token = f"{payload}.{_b64(_session_mac(SECRET, payload))}"
    with pytest.raises(AuthError, match="malformed session token: unreadable payload"):
        read_session(SECRET, token, NOW)


# --- authorization -------------------------------------------------------------------


@pytest.mark.parametrize(
    "role, permission", list(itertools.product(Role, Permission)), ids=lambda v: str(v)
)
def test_authorize_table(role: Role, permission: Permission) -> None:
    principal = Principal("someone", role)
    if permission in ROLE_PERMISSIONS[role]:
        assert authorize(principal, permission) is principal
    else:
        with pytest.raises(ForbiddenError, match=f"role '{role}' lacks permission '{permission}'"):
            authorize(principal, permission)


@pytest.mark.parametrize("permission", list(Permission), ids=str)
def test_authorize_nobody_is_401_not_403(permission: Permission) -> None:
    with pytest.raises(AuthError, match="authentication required") as caught:
        authorize(None, permission)
    assert caught.type is AuthError
    assert caught.value.status == 401


def test_role_tables_cover_every_role_and_are_read_only() -> None:
    assert set(ROLE_PERMISSIONS) == set(Role) == set(ROLE_LABELS)
    assert ROLE_PERMISSIONS[Role.ADMIN] == {
        Permission.VIEW_WALL,
        Permission.SWITCH_LAYOUT,
        Permission.MANAGE_USERS,
    }
    assert ROLE_LABELS[Role.DUTY_OFFICER] == ("Trực ban", "Duty officer")
    with pytest.raises(TypeError):
        ROLE_PERMISSIONS[Role.VIEWER] = frozenset(Permission)  # type: ignore[index]


# --- accounts on a real store --------------------------------------------------------


async def test_bootstrap_creates_once_then_users_can_sign_in(tmp_path: Path) -> None:
    async with open_store(tmp_path, None) as store:
        created = await bootstrap_users(store, NOW)
        assert [(name, role) for name, _, role in created] == [
            ("admin", Role.ADMIN),
            ("truc-ban", Role.DUTY_OFFICER),
            ("xem", Role.VIEWER),
        ]
        assert len({password for _, password, _ in created}) == 3
        assert await bootstrap_users(store, NOW + 1) == []
        for name, password, role in created:
            assert await authenticate_user(store, name, password) == Principal(name, role)
            user = await store.get_user(name)
            assert user is not None
            assert user.created_at == NOW
            assert password not in user.password_hash


async def test_wrong_password_and_unknown_user_get_the_same_message(tmp_path: Path) -> None:
    async with open_store(tmp_path, None) as store:
        [(name, _, _), *_] = await bootstrap_users(store, NOW)
        for username, password in [(name, "wrong"), ("nobody", "wrong")]:
            with pytest.raises(AuthError, match=r"^wrong username or password$"):
                await authenticate_user(store, username, password)
