"""Where accepted search-and-rescue incidents live. See ``base`` for the contract."""

from feeds.incident_store.base import IncidentStore
from feeds.incident_store.embedded import EmbeddedIncidentStore
from feeds.incident_store.factory import open_incident_store
from feeds.incident_store.redis_store import RedisIncidentStore

__all__ = ["EmbeddedIncidentStore", "IncidentStore", "RedisIncidentStore", "open_incident_store"]
