"""The duty console with two servers of one wall (issue 11 pt 5): when the server under the
console is killed, its watchdog opens the console on the next live server. Both servers are
on this host (other ports), so the session cookie goes along and the person stays signed
in (the session lives in the shared Redis)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from failover_pair import Pair, pair_on_own_redis
from pagesupport import sign_in
from playwright.async_api import BrowserContext

pytestmark = pytest.mark.redis


@pytest.fixture
def pair(tmp_path: Path) -> Iterator[Pair]:
    with pair_on_own_redis(tmp_path) as servers:
        yield servers


async def test_a_console_whose_server_is_killed_opens_on_the_next_signed_in(
    browser: BrowserContext, pair: Pair
) -> None:
    page = await sign_in(browser, pair.a, "duty_officer", ready="text=Bảng điều khiển trực ban")

    killed = time.monotonic()
    pair.a.stop(kill=True)
    await page.wait_for_url(f"{pair.b.url}/console", timeout=30_000)
    await page.wait_for_selector("text=Bảng điều khiển trực ban", timeout=30_000)
    print(f"console: kill -9 → signed-in console on B in {time.monotonic() - killed:.2f} s")
    # The switch button works there: the person's role came along with the session.
    await page.get_by_role("button", name="Chuyển bố cục").wait_for()
