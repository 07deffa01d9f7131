"""What the store contract tests share: each contract runs on both implementations (SQLite in
a temporary folder, Redis under a fresh prefix), reopened on the same data when a test asks."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from pathlib import Path
from typing import TypeVar

import pytest

S = TypeVar("S")

# The ``params`` of a contract's ``open_same_store`` fixture.
BOTH_STORES = ["embedded", pytest.param("redis", marks=pytest.mark.redis)]


def same_store(
    request: pytest.FixtureRequest,
    tmp_path: Path,
    opener: Callable[..., AbstractAsyncContextManager[S]],
) -> Callable[[], AbstractAsyncContextManager[S]]:
    """Opens the same store again on every call: the same data dir, or the same prefix.
    ``opener`` is a store factory: ``(data_dir, redis_url | None, redis_prefix=…)``."""
    data_dir = tmp_path / "data"
    if request.param == "embedded":
        return lambda: opener(data_dir, None)
    url: str = request.getfixturevalue("redis_url")
    prefix: str = request.getfixturevalue("redis_prefix")
    return lambda: opener(data_dir, url, redis_prefix=prefix)
