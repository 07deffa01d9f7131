"""Checking an SDP offer before aiortc sees it: readable, the right directions, and for
each audio and video section at least one codec the centre forwards as it is."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from aiortc import sdp

from video.errors import CodecNotAccepted, MalformedSdp

# Forwarded untouched, so every subscriber must be able to take what a publisher sends:
# the codecs aiortc packetizes (and Chromium, Firefox and GStreamer's webrtcbin speak).
ACCEPTED: dict[str, tuple[str, ...]] = {"video": ("VP8", "H264"), "audio": ("opus",)}
MAX_SDP = 64 * 1024

Role = Literal["publish", "watch"]
_SENDS = {"publish": ("sendonly", "sendrecv"), "watch": ("recvonly", "sendrecv")}


@dataclass(frozen=True)
class OfferSummary:
    kinds: tuple[str, ...]  # the audio/video sections, in offer order
    codecs: dict[str, tuple[str, ...]]  # kind -> offered codec names


def _check_bounds(description: sdp.SessionDescription, media: list[Any], max_audio: int) -> None:
    limits = {"video": 1, "audio": max_audio}
    for kind, limit in limits.items():
        count = sum(1 for m in media if m.kind == kind)
        if count > limit:
            raise MalformedSdp(
                f"SDP offer has {count} m={kind} sections; at most {limit} accepted",
                [{"media": kind, "expected": f"at most {limit}", "got": count}],
            )
    others = len(description.media) - len(media)
    if others:
        raise MalformedSdp(
            f"SDP offer has {others} section(s) other than audio and video "
            "(data channels are not served)",
            [{"expected": "m=audio / m=video only", "got": others}],
        )
    if len(media) < 2:
        return
    mids = {m.rtp.muxId for m in media}
    bundled = any(
        group.semantic == "BUNDLE" and mids <= set(group.items) for group in description.group
    )
    if not bundled:
        raise MalformedSdp(
            "SDP offer with several sections must bundle them all in one "
            "'a=group:BUNDLE' (max-bundle), each section's a=mid in the group",
            [{"expected": "a=group:BUNDLE " + " ".join(sorted(mids)), "got": "none"}],
        )


def check_offer(text: str, role: Role, max_audio: int = 1) -> OfferSummary:
    """The offer's sections; ``MalformedSdp`` or ``CodecNotAccepted`` saying what is wrong.

    Bounded before aiortc sees it: at most one video and ``max_audio`` audio sections, and
    several sections only in one BUNDLE group. Without BUNDLE every section binds a socket
    of its own, so one credential could otherwise exhaust the server's file descriptors."""
    if len(text) > MAX_SDP:
        raise MalformedSdp(f"SDP offer of {len(text)} bytes > {MAX_SDP}")
    if not text.lstrip().startswith("v=0"):
        raise MalformedSdp(
            "body is not an SDP offer: it must start with 'v=0'",
            [{"expected": "v=0", "got": text.lstrip()[:20]}],
        )
    try:
        description = sdp.SessionDescription.parse(text)
    except StopIteration:  # aiortc looks the payload type up in the section's a=rtpmap
        raise MalformedSdp(
            "SDP offer cannot be parsed: an a=fmtp or a=rtcp-fb line names a payload type "
            "that no a=rtpmap line of its section declares"
        ) from None
    except (ValueError, IndexError, KeyError, AssertionError) as exc:
        # aiortc's parser asserts on a line it cannot read ('m=junk', a 'c=' line that is
        # no address): that too is the client's malformed offer, never a 500.
        reason = str(exc) or "a line aiortc's parser cannot read (an m=, c= or a= line)"
        raise MalformedSdp(f"SDP offer cannot be parsed: {reason}") from None
    media = [m for m in description.media if m.kind in ("audio", "video")]
    if not media:
        raise MalformedSdp("SDP offer has no audio or video section ('m=audio'/'m=video')")
    _check_bounds(description, media, max_audio)
    problems: list[dict[str, object]] = []
    refused: list[dict[str, object]] = []
    for index, m in enumerate(media):
        where = f"m={m.kind} (section {index + 1})"
        if m.ice is None or not m.ice.usernameFragment or not m.ice.password:
            problems.append({"media": where, "problem": "no a=ice-ufrag / a=ice-pwd"})
        if m.dtls is None or not m.dtls.fingerprints:
            problems.append({"media": where, "problem": "no a=fingerprint (DTLS)"})
        if m.direction not in (*_SENDS[role], None):
            problems.append(
                {
                    "media": where,
                    "problem": f"direction '{m.direction}' cannot {role}",
                    "expected": list(_SENDS[role]),
                }
            )
        names = tuple(
            dict.fromkeys(
                c.name for c in m.rtp.codecs if c.name.lower() not in ("rtx", "red", "ulpfec")
            )
        )
        accepted = ACCEPTED[m.kind]
        if not any(n.lower() == a.lower() for n in names for a in accepted):
            refused.append({"media": m.kind, "offered": list(names), "accepted": list(accepted)})
    if problems:
        raise MalformedSdp(
            "SDP offer is incomplete: "
            + "; ".join(f"{p['media']}: {p['problem']}" for p in problems),
            problems,
        )
    if refused:
        raise CodecNotAccepted(
            "no accepted codec in "
            + "; ".join(
                f"m={r['media']} (offered {', '.join(r['offered']) or 'none'}; "  # type: ignore[arg-type]
                f"accepted {', '.join(r['accepted'])})"  # type: ignore[arg-type]
                for r in refused
            ),
            refused,
        )
    return OfferSummary(
        tuple(m.kind for m in media),
        {m.kind: tuple(c.name for c in m.rtp.codecs) for m in media},
    )
