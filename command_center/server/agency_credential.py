"""An agency's credential on the reporting routes: ``Authorization: Bearer <agency id>:<token>``.

The id travels inside the credential, so an agency keeps one secret string and no header can
claim one agency while signing as another. Observations and incidents read it the same way,
from the headers, before the body is read.
"""

from __future__ import annotations

from collections.abc import Container
from dataclasses import dataclass

from command_center.credentials import DeviceCredentials, DeviceKind
from command_center.errors import AuthError


@dataclass(frozen=True)
class AgencyBearer:
    agency: str
    token: str


def parse_agency_bearer(header: str) -> AgencyBearer | None:
    """The (agency, token) of a Bearer header, or None when it is not one."""
    scheme, _, credential = header.partition(" ")
    agency, colon, token = credential.strip().partition(":")
    if scheme.lower() != "bearer" or not colon or not agency or not token:
        return None
    return AgencyBearer(agency, token)


async def verified_agency(
    header: str,
    agencies: Container[str],
    devices: DeviceCredentials,
    address: str | None,
    doing: str,
) -> str:
    """The agency whose current credential ``header`` carries; else 401 saying what ``doing``
    (e.g. "reporting") needs."""
    bearer = parse_agency_bearer(header)
    if bearer is None:
        raise AuthError(
            f"{doing} needs 'Authorization: Bearer <agency id>:<token>' "
            "(run_wall.py agency-tokens prints them)"
        )
    if bearer.agency not in agencies or not await devices.check(
        DeviceKind.AGENCY, bearer.agency, bearer.token, address
    ):
        raise AuthError(f"unknown agency or wrong token for '{bearer.agency}'")
    return bearer.agency
