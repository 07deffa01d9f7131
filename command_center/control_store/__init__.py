"""What the wall's automation remembers: alerts, announcements, the lock, what the wall showed
before an alert took it, and who evaluates the rules (a lease)."""

from command_center.control_store.base import ControlStore
from command_center.control_store.factory import open_control_store

__all__ = ["ControlStore", "open_control_store"]
