"""At most a few password checks at once, so sign-ins cannot starve the wall.

An argon2id verification costs tens of milliseconds of a core by design; the wall has two
cores and must keep feeding its screens. ``VerifyPool`` lets ``size`` checks run at
once (default 2) and refuses the next one at once with 503 ``busy`` and ``Retry-After``
instead of queueing it: a flood of sign-ins then costs at most ``size`` cores' worth, and
a person who hit the moment simply tries again a second later.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

from command_center.errors import TooManyRequests


class VerifyBusy(TooManyRequests):
    """503: every password-check slot is taken; retry after ``retry_after_s``."""

    status = 503
    code = "busy"


class VerifyPool:
    """``async with pool.slot():`` around one password check."""

    def __init__(self, size: int = 2, retry_after_s: int = 1) -> None:
        if size < 1:
            raise ValueError(f"verify pool size must be at least 1 (got {size})")
        self.size = size
        self.retry_after_s = retry_after_s
        self._in_use = 0

    @property
    def in_use(self) -> int:
        return self._in_use

    @contextlib.asynccontextmanager
    async def slot(self) -> AsyncIterator[None]:
        # One event loop, no await between the test and the increment: no lock needed.
        if self._in_use >= self.size:
            raise VerifyBusy(
                f"Máy chủ đang bận kiểm tra mật khẩu, thử lại sau {self.retry_after_s} giây · "
                f"the server is busy checking passwords ({self.size} at once), "
                f"try again in {self.retry_after_s} s",
                self.retry_after_s,
            )
        self._in_use += 1
        try:
            yield
        finally:
            self._in_use -= 1
