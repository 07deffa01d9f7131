"""Where accepted observations live. See ``base`` for the contract both stores keep."""

from feeds.observation_store.base import (
    AppendResult,
    ObservationConflict,
    ObservationStore,
    Reported,
)
from feeds.observation_store.embedded import EmbeddedObservationStore
from feeds.observation_store.factory import open_observation_store
from feeds.observation_store.redis_store import RedisObservationStore

__all__ = [
    "AppendResult",
    "EmbeddedObservationStore",
    "ObservationConflict",
    "ObservationStore",
    "RedisObservationStore",
    "Reported",
    "open_observation_store",
]
