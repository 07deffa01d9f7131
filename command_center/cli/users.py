"""Accounts and the audit trail from the command line: ``users`` (list, add, disable,
enable, set-role, reset-password), the older ``reset-password``, ``unlock`` (a sign-in lock)
and ``audit verify`` (the hash chain). Every change is audited as ``cli:<os user>``."""

from __future__ import annotations

import argparse
import sys
import time

from command_center.cli.actor import audit_as_cli, cli_actor


async def reset_password(args: argparse.Namespace) -> int:
    """``users reset-password`` that also creates the user, or changes its role, with
    ``--role`` (the older command, kept for scripts)."""
    from command_center.store import open_store

    async with open_store(args.data_dir, args.redis_url) as store:
        user = await store.get_user(args.username)
    if user is None and args.role is None:
        print(f"no user '{args.username}'; pass --role to create it", file=sys.stderr)
        return 2
    if user is None:
        args.users_command = "add"
        return await users_command(args)
    if args.role is not None and args.role != user.role:
        args.users_command = "set-role"
        if code := await users_command(args):
            return code
    args.users_command = "reset-password"
    return await users_command(args)


async def users_command(args: argparse.Namespace) -> int:
    from command_center import accounts
    from command_center.errors import WallError
    from command_center.server.login_limit import open_login_limiter
    from command_center.sessions import Sessions
    from command_center.store import open_store

    actor = cli_actor()
    async with (
        open_store(args.data_dir, args.redis_url) as store,
        open_login_limiter(store, args.data_dir) as locks,
    ):
        sessions = Sessions(store, None)
        try:
            match args.users_command:
                case "list":
                    for user in await store.users():
                        state = "đã khoá · disabled" if user.disabled else "hoạt động · enabled"
                        created = time.strftime("%d/%m/%Y", time.localtime(user.created_at))
                        print(f"{user.username}\t{user.role}\t{state}\t{created}")
                case "add":
                    password = await accounts.add_user(store, actor, args.username, args.role)
                    print(f"{args.username} ({args.role}): {password}")
                case "disable" | "enable":
                    disabled = args.users_command == "disable"
                    await accounts.set_disabled(store, sessions, actor, args.username, disabled)
                    print(f"{args.username}: {'disabled' if disabled else 'enabled'}")
                case "set-role":
                    await accounts.set_role(store, sessions, actor, args.username, args.role)
                    print(f"{args.username}: {args.role}")
                case "reset-password":
                    password = await accounts.reset_password(
                        store, sessions, locks, actor, args.username
                    )
                    account = await store.get_user(args.username)
                    print(f"{args.username} ({account.role if account else '?'}): {password}")
        except WallError as exc:
            print(exc.message, file=sys.stderr)
            return 2
    return 0


async def audit_verify(args: argparse.Namespace) -> int:
    """Exit 0 when the chain is whole, 1 naming the first broken row."""
    from command_center.audit import verify_chain
    from command_center.store import open_store

    async with open_store(args.data_dir, args.redis_url) as store:
        entries, head = await store.audit_chain()
    problems = verify_chain(entries, head)
    if problems:
        print(f"Nhật ký bị sửa · audit trail broken: {problems[0]}", file=sys.stderr)
        for more in problems[1:]:
            print(f"  also {more}", file=sys.stderr)
        return 1
    print(f"{len(entries)} row(s): chain intact · chuỗi nguyên vẹn")
    return 0


async def unlock(args: argparse.Namespace) -> int:
    """Lift the sign-in lock on a user (from one address, or from all), with an audit row."""
    from command_center.server.login_limit import open_login_limiter
    from command_center.store import open_store

    async with (
        open_store(args.data_dir, args.redis_url) as store,
        open_login_limiter(store, args.data_dir) as limiter,
    ):
        await limiter.clear(args.username, args.address)
        # Through the chained audit, as every other command (who ran it, in ms).
        await audit_as_cli(store, "unlock", args.username, {"address": args.address})
    where = f" from {args.address}" if args.address else ""
    print(f"{args.username}: sign-in unlocked{where} · đã mở khóa đăng nhập")
    return 0
