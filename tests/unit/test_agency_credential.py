"""Reading an agency's Bearer credential: what counts as one, and what does not."""

from __future__ import annotations

import pytest

from command_center.server.agency_credential import AgencyBearer, parse_agency_bearer


@pytest.mark.parametrize(
    ("header", "want"),
    [
        ("Bearer bo_y_te:abc", AgencyBearer("bo_y_te", "abc")),
        ("bearer bo_y_te:abc", AgencyBearer("bo_y_te", "abc")),  # the scheme is case-blind
        ("Bearer  bo_y_te:a:b", AgencyBearer("bo_y_te", "a:b")),  # the token may hold ':'
        ("", None),
        ("Bearer session-token", None),  # no agency id: a console session, not an agency
        ("Basic bo_y_te:abc", None),
        ("Bearer :abc", None),
        ("Bearer bo_y_te:", None),
    ],
)
def test_parse_agency_bearer(header: str, want: AgencyBearer | None) -> None:
    assert parse_agency_bearer(header) == want
