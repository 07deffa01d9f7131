"""The wall's history: every message that changed what a screen shows, kept compact.

model.py        chunks, snapshots and marks; their zlib JSON encoding
rebuild.py      the pure reducer: a screen's state from a snapshot and messages
base.py         the store interface both stores implement
embedded.py     SQLite (``history.sqlite3`` in the data directory)
redis_store.py  Redis (keys under ``cc:history:``)
factory.py      ``open_history_store``: the same choice the other stores make
"""

from command_center.history.base import HistoryStore
from command_center.history.factory import open_history_store
from command_center.history.model import Chunk, Mark, Snapshot

__all__ = ["Chunk", "HistoryStore", "Mark", "Snapshot", "open_history_store"]
