"""Who ran a command, for the audit trail: ``cli:<os user>``."""

from __future__ import annotations

from command_center.store import Store


def cli_actor() -> str:
    """Who ran a command, for the audit: ``cli:<os user>``."""
    import getpass

    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):
        return "cli:unknown"


async def audit_as_cli(store: Store, action: str, target: str, detail: dict[str, object]) -> None:
    from command_center.audit import audit

    await audit(store, cli_actor(), action, target, detail, role="cli")
