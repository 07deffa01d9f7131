"""What the store contract tests share: each contract runs on both implementations (SQLite in
a temporary folder, Redis under a fresh prefix), reopened on the same data when a test asks."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager
from pathlib import Path
from typing import Any, TypeVar

import pytest

S = TypeVar("S")

# The stores every contract runs on.
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


def contract_fixtures(opener: Callable[..., AbstractAsyncContextManager[S]]) -> tuple[Any, Any]:
    """The two fixtures of a store's contract module, for the stores ``opener`` opens (see
    ``same_store``): ``open_same_store``, run on both stores, opens the same store on each
    call; ``store`` is one opened for the test. The module takes them with
    ``open_same_store, store = contract_fixtures(opener)``."""

    @pytest.fixture(params=BOTH_STORES)
    def open_same_store(
        request: pytest.FixtureRequest, tmp_path: Path
    ) -> Callable[[], AbstractAsyncContextManager[S]]:
        return same_store(request, tmp_path, opener)

    @pytest.fixture
    async def store(
        open_same_store: Callable[[], AbstractAsyncContextManager[S]],
    ) -> AsyncIterator[S]:
        async with open_same_store() as opened:
            yield opened

    return open_same_store, store
