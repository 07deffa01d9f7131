"""hypothesis properties of the validators a client (or a spec file) can feed: any input gives
a value or the documented error (a ``WallError`` whose envelope serialises), never another
exception, which the server would turn into a 500.

    JSON bodies          command_center.json_text.parse_json      RequestError
    observations (JSON)  feeds.ingest.validate_batch              BatchRejected, BatchTooLarge
    observations (CSV)   feeds.csv_batch.parse_csv, then above    MalformedCsv, BatchTooLarge
    incidents            feeds.incidents.validate_incidents       IncidentsRejected, BatchTooLarge
    layouts              layouts.loader.load_wall / load_preset   SpecError
    SDP offers           video.sdp_offer.check_offer              MalformedSdp, CodecNotAccepted
    trickle fragments    video.peers.parse_candidates, ...        (total functions)

Each takes arbitrary input (text, bytes, JSON-like values) and near-valid input (a good one
with fields swapped, dropped or garbled), FUZZ_EXAMPLES of each (a few in the normal run).
"""

from __future__ import annotations

import asyncio
import json
import tempfile
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import yaml
from aiortc import RTCPeerConnection
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from incidentsupport import LANDSLIDE
from wall_thread import EXAMPLES

from command_center.builtin_tiles import BUILTIN_TILE_KINDS
from command_center.errors import RequestError, SpecError, WallError
from command_center.json_text import parse_json
from command_center.tiles import TileRegistry
from feeds.csv_batch import MalformedCsv, parse_csv
from feeds.incidents import IncidentsRejected, validate_incidents
from feeds.ingest import BatchRejected, BatchTooLarge, validate_batch
from feeds.loader import load_feeds
from layouts import WALLS_DIR, presets_dir_for
from layouts.loader import load_preset, load_wall
from video.aiortc_hooks import gather_on
from video.errors import CodecNotAccepted, MalformedSdp
from video.peers import asks_ice_restart, ice_credentials, parse_candidates
from video.sdp_offer import check_offer

pytestmark = pytest.mark.fuzz

FUZZ = settings(
    max_examples=EXAMPLES * 10,  # cheap, pure functions: ten times the API's count
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
NOW = datetime(2026, 11, 27, 3, 0, tzinfo=UTC)
FEEDS = load_feeds()
REGISTRY = TileRegistry(BUILTIN_TILE_KINDS)
WALL_FILE = WALLS_DIR / "wall-2x2.yaml"
WALL = load_wall(WALL_FILE)
PRESETS = sorted(presets_dir_for(WALL.id).glob("*.yaml"))


def refuses_only(allowed: tuple[type[WallError], ...], call: Callable[[], Any]) -> WallError | None:
    """Run ``call``: a value, or one of ``allowed`` with a message and an envelope the
    server can write; anything else fails the property."""
    try:
        call()
    except allowed as exc:
        assert exc.message.strip(), exc
        envelope = json.dumps(exc.envelope(), ensure_ascii=False)
        assert len(envelope) < 200_000, "an error answer hundreds of KB long"
        return exc
    return None


# --- values a client can put in JSON ------------------------------------------------

SCALARS = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=40)
)
JSONISH = st.recursive(
    SCALARS,
    lambda inner: (
        st.lists(inner, max_size=5) | st.dictionaries(st.text(max_size=12), inner, max_size=5)
    ),
    max_leaves=25,
)


def garbled(good: dict[str, Any], keys: list[str]) -> st.SearchStrategy[Any]:
    """``good`` with some fields replaced by any JSON-like value, dropped, or added."""
    replaced = st.fixed_dictionaries({k: st.one_of(st.just(v), JSONISH) for k, v in good.items()})
    dropped = st.sets(st.sampled_from(keys)).map(
        lambda gone: {k: v for k, v in good.items() if k not in gone}
    )
    added = st.dictionaries(st.text(max_size=10), JSONISH, max_size=2).map(
        lambda extra: {**good, **extra}
    )
    return st.one_of(replaced, dropped, added, JSONISH)


# --- JSON bodies --------------------------------------------------------------------


@FUZZ
@given(st.binary(max_size=2000) | st.text(max_size=2000).map(str.encode))
def test_any_body_parses_as_json_or_is_a_bad_request(raw: bytes) -> None:
    refuses_only((RequestError,), lambda: parse_json(raw))


@FUZZ
@given(st.integers(min_value=1, max_value=200_000), st.sampled_from(["[", '{"a":']))
def test_deep_json_is_a_bad_request_not_a_recursion_error(depth: int, opener: str) -> None:
    raw = (opener * depth).encode()
    assert refuses_only((RequestError,), lambda: parse_json(raw)) is not None


# --- observations -------------------------------------------------------------------

INDICATORS = [i.code for i in FEEDS.catalogue]
GOOD_ROW: dict[str, Any] = {
    "indicator": "cpi_yoy",
    "area_code": None,
    "code_list": None,
    "period": "2026-10",
    "value": 3.25,
    "revision": 0,
    "note": "ghi chú",
}
NEAR_ROW = st.fixed_dictionaries(
    {
        "indicator": st.sampled_from(INDICATORS) | st.text(max_size=20),
        "area_code": st.none()
        | st.sampled_from(["", "01", "46", "79", "99", "VN"])
        | st.text(max_size=4),
        "code_list": st.sampled_from([None, "", "gso-63", "gso-34", "gso-0"]),
        "period": st.sampled_from(
            ["2026", "2026-10", "2026-Q3", "2026-W42", "2026-10-19", "2026-13", "Oct"]
        )
        | st.text(max_size=12),
        "value": SCALARS,
    },
    optional={"revision": SCALARS, "note": SCALARS},
)
ROWS = st.lists(NEAR_ROW | garbled(GOOD_ROW, list(GOOD_ROW)), max_size=8)
AGENCIES = ["bo_y_te", "cuc_thong_ke", "bo_tai_chinh", "ubnd_01", "ubnd_46"]


@FUZZ
@given(ROWS, st.sampled_from(AGENCIES))
def test_any_observation_rows_give_observations_or_a_rejection(
    rows: list[Any], agency: str
) -> None:
    reporter = FEEDS.reporter(agency)
    refuses_only(
        (BatchRejected, BatchTooLarge),
        lambda: validate_batch(rows, FEEDS.catalogue, reporter, NOW),
    )


CSV_HEADER = "indicator,area_code,code_list,period,value,revision,note"


def _csv_cell(value: Any) -> str:
    text = "" if value is None else str(value)
    return text if "," not in text and '"' not in text else '"' + text.replace('"', '""') + '"'


CSV_BODIES = st.one_of(
    st.binary(max_size=1500),
    st.lists(NEAR_ROW, max_size=6).map(
        lambda rows: "\r\n".join(
            [CSV_HEADER]
            + [",".join(_csv_cell(r.get(c)) for c in CSV_HEADER.split(",")) for r in rows]
        ).encode()
    ),
    st.lists(st.lists(st.text(max_size=10), max_size=9), max_size=6).map(
        lambda cells: "\n".join([CSV_HEADER] + [",".join(row) for row in cells]).encode()
    ),
)


@FUZZ
@given(CSV_BODIES, st.sampled_from(AGENCIES))
def test_any_csv_body_gives_rows_or_a_clear_refusal(body: bytes, agency: str) -> None:
    batch = None

    def parse() -> None:
        nonlocal batch
        batch = parse_csv(body)

    if refuses_only((MalformedCsv, BatchTooLarge), parse) is not None:
        return
    assert batch is not None
    rows, lines = list(batch.rows), batch.lines
    reporter = FEEDS.reporter(agency)
    refuses_only(
        (BatchRejected, BatchTooLarge),
        lambda: validate_batch(rows, FEEDS.catalogue, reporter, NOW, lines),
    )


# --- incidents ----------------------------------------------------------------------

GOOD_INCIDENT = LANDSLIDE
INCIDENT_ROWS = st.lists(garbled(GOOD_INCIDENT, list(GOOD_INCIDENT)), max_size=6)


@FUZZ
@given(INCIDENT_ROWS, st.sampled_from([None, frozenset({"15"}), frozenset({"01", "46"})]))
def test_any_incident_rows_give_incidents_or_a_rejection(
    rows: list[Any], provinces: frozenset[str] | None
) -> None:
    refuses_only(
        (IncidentsRejected, BatchTooLarge),
        lambda: validate_incidents(rows, "trung_tam_tkcn", provinces, NOW),
    )


# --- layouts (wall and preset YAML) -------------------------------------------------


@pytest.fixture(scope="module")
def spec_dir() -> Iterator[Path]:
    # Module-scoped: hypothesis runs many examples per test call, each writes here.
    with tempfile.TemporaryDirectory(prefix="fuzz-specs-") as name:
        yield Path(name)


def _mutate(node: Any, path: list[int], value: Any) -> Any:
    """``node`` with the element reached by ``path`` (indices into dict items or list
    items, wrapped) replaced by ``value``."""
    if not path or not isinstance(node, dict | list) or not node:
        return value
    step, rest = path[0], path[1:]
    if isinstance(node, dict):
        keys = list(node)
        key = keys[step % len(keys)]
        return {**node, key: _mutate(node[key], rest, value)}
    index = step % len(node)
    return [*node[:index], _mutate(node[index], rest, value), *node[index + 1 :]]


YAML_TEXT = st.text(max_size=400) | st.sampled_from(
    ["{", "- [", "a: *x", "!!python/object:os.system {}", "~", "[]", "42"]
)
MUTATION = st.tuples(st.lists(st.integers(min_value=0, max_value=50), max_size=5), JSONISH)


def _spec_text(original: str, mutation: tuple[list[int], Any] | str) -> str:
    if isinstance(mutation, str):
        return mutation
    path, value = mutation
    return yaml.safe_dump(_mutate(yaml.safe_load(original), path, value), allow_unicode=True)


@FUZZ
@given(st.sampled_from(PRESETS), MUTATION | YAML_TEXT)
def test_any_preset_file_gives_a_preset_or_every_problem(
    spec_dir: Path, preset: Path, mutation: Any
) -> None:
    path = spec_dir / preset.name
    path.write_text(_spec_text(preset.read_text(encoding="utf-8"), mutation), encoding="utf-8")
    refuses_only((SpecError,), lambda: load_preset(path, WALL, REGISTRY))


@FUZZ
@given(MUTATION | YAML_TEXT)
def test_any_wall_file_gives_a_wall_or_every_problem(spec_dir: Path, mutation: Any) -> None:
    path = spec_dir / "wall.yaml"
    path.write_text(_spec_text(WALL_FILE.read_text(encoding="utf-8"), mutation), encoding="utf-8")
    refuses_only((SpecError,), lambda: load_wall(path))


# --- SDP offers and trickle fragments -----------------------------------------------


async def _real_offer(direction: str) -> str:
    pc = RTCPeerConnection()
    for kind in ("video", "audio"):
        pc.addTransceiver(kind, direction=direction)
    gather_on(pc, ("127.0.0.1",))
    await pc.setLocalDescription(await pc.createOffer())
    text = str(pc.localDescription.sdp)
    await pc.close()
    return text


OFFERS = {d: asyncio.run(_real_offer(d)) for d in ("sendonly", "recvonly")}


@st.composite
def near_offers(draw: st.DrawFn) -> str:
    """A real aiortc offer with lines dropped, duplicated, garbled or inserted."""
    lines = OFFERS[draw(st.sampled_from(sorted(OFFERS)))].splitlines()
    for _ in range(draw(st.integers(min_value=1, max_value=6))):
        if not lines:
            break
        i = draw(st.integers(min_value=0, max_value=len(lines) - 1))
        action = draw(st.sampled_from(["drop", "dup", "garble", "insert", "value"]))
        if action == "drop":
            del lines[i]
        elif action == "dup":
            lines.insert(i, lines[i])
        elif action == "garble":
            lines[i] = draw(st.text(max_size=60))
        elif action == "insert":
            prefix = draw(
                st.sampled_from(["m=", "a=", "c=", "a=group:BUNDLE ", "a=mid:", "a=rtpmap:", ""])
            )
            lines.insert(i, prefix + draw(st.text(max_size=40)))
        else:
            head, sep, _ = lines[i].partition(":")
            lines[i] = head + (sep or ":") + draw(st.text(max_size=30))
    return "\r\n".join(lines) + "\r\n"


@FUZZ
# Found by this property: aiortc's parser raised AssertionError ('m=junk', a 'c=' line with
# no address) and StopIteration (an a=fmtp for a payload type without a=rtpmap), which the
# WHIP/WHEP routes answered with 500.
@example("v=0\r\nm=junk\r\n", "publish", 1)
@example("v=0\r\nm=video 9 UDP/TLS/RTP/SAVPF 96\r\nc=junk\r\n", "watch", 1)
@example("v=0\r\nm=video 9 UDP/TLS/RTP/SAVPF 96\r\na=fmtp:100 apt=96\r\n", "publish", 1)
@given(
    near_offers() | st.text(max_size=500).map(lambda t: "v=0\r\n" + t) | st.text(max_size=300),
    st.sampled_from(["publish", "watch"]),
    st.integers(min_value=0, max_value=3),
)
def test_any_offer_gives_a_summary_or_a_clear_refusal(text: str, role: Any, max_audio: int) -> None:
    refuses_only((MalformedSdp, CodecNotAccepted), lambda: check_offer(text, role, max_audio))


def test_the_real_offers_pass() -> None:
    """The seeds are good offers: the garbling above starts from something accepted."""
    assert check_offer(OFFERS["sendonly"], "publish").kinds == ("video", "audio")
    assert check_offer(OFFERS["recvonly"], "watch").kinds == ("video", "audio")


@FUZZ
@given(st.text(max_size=400), near_offers())
def test_trickle_fragment_readers_are_total(fragment: str, offer: str) -> None:
    candidates, _ = parse_candidates(fragment)
    assert all(isinstance(c, str) for c in candidates)
    ice_credentials(fragment)
    asks_ice_restart(fragment, offer)
