"""One sign-in, the same for ``/login`` and ``POST /api/v1/sessions``: count the attempt,
refuse a locked one, slow a much-guessed username, check the password in the pool."""

from __future__ import annotations

import asyncio
import math
from dataclasses import dataclass

from command_center.auth import Principal, authenticate_user
from command_center.errors import AuthError, TooManyRequests
from command_center.server.login_limit import LoginLimiter, wait_text
from command_center.server.verify_pool import VerifyPool
from command_center.store import Store


class TooManyAttempts(TooManyRequests):
    """429: this (username, address) or this address is locked for ``retry_after_s``."""

    code = "too_many_attempts"

    def __init__(self, wait_s: float) -> None:
        seconds = math.ceil(wait_s)
        vi, en = wait_text(wait_s)
        super().__init__(
            f"Đăng nhập sai quá nhiều lần, thử lại sau {vi} · "
            f"too many failed sign-ins, try again in {en}",
            seconds,
        )
        self.wait_s = wait_s


@dataclass(frozen=True)
class SignInGate:
    """What a sign-in route needs besides the store."""

    limiter: LoginLimiter
    pool: VerifyPool

    async def sign_in(
        self, store: Store, username: str, password: str, address: str | None
    ) -> Principal:
        """The principal, or ``TooManyAttempts`` (429), ``VerifyBusy`` (503), ``AuthError``
        (401). A refusal before the check says nothing about the password."""
        attempt = await self.limiter.begin(username, address)
        if attempt.retry_after_s > 0:
            raise TooManyAttempts(attempt.retry_after_s)
        if attempt.delay_s > 0:
            await asyncio.sleep(attempt.delay_s)
        try:
            async with self.pool.slot():
                principal = await authenticate_user(store, username, password)
        except AuthError:
            raise  # counted already: the attempt stays
        except BaseException:
            await self.limiter.not_checked(attempt)
            raise
        await self.limiter.succeeded(attempt)
        return principal
