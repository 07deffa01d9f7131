"""The video bridge's refusals, each an HTTP status in the one JSON envelope.

RequestError (400)
├── MalformedSdp            400: the body is not an SDP offer we can read
├── CodecNotAccepted        406: no codec of a media section is one the centre forwards
├── PreconditionFailed      412: a PATCH's If-Match names another ICE session (RFC 9725)
├── IceRestartUnsupported   422: a PATCH asks for an ICE restart, which aiortc cannot do
└── PreconditionRequired    428: a PATCH without If-Match (RFC 9725 §4.3.1)
ConflictError (409)
└── SlotTaken               409: another publisher holds this point's slot
TooManyRequests (429)
└── TooManySessions         429: a credential (or the room) holds as many sessions as allowed
"""

from __future__ import annotations

from command_center.errors import ConflictError, RequestError, TooManyRequests


class MalformedSdp(RequestError):
    code = "malformed_sdp"


class CodecNotAccepted(RequestError):
    status = 406
    code = "codec_not_accepted"


class PreconditionFailed(RequestError):
    status = 412
    code = "precondition_failed"


class IceRestartUnsupported(RequestError):
    status = 422
    code = "ice_restart_unsupported"


class PreconditionRequired(RequestError):
    status = 428
    code = "precondition_required"


class SlotTaken(ConflictError):
    code = "slot_taken"


class TooManySessions(TooManyRequests):
    code = "too_many_sessions"
