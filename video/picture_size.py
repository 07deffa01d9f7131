"""A keyframe's picture size, read from its header without decoding it: the recorder's
muxer must name the size of a video stream before the first packet.

    VP8     the key frame header (RFC 6386 9.1): 14-bit width and height after the start code
    H.264   the sequence parameter set (ITU-T H.264 7.3.2.1.1): macroblocks, cropping

(0, 0) when the header is not there or uses what is not read here (scaling matrices).
"""

from __future__ import annotations

from collections.abc import Iterator

HIGH_PROFILES = {100, 110, 122, 244, 44, 83, 86, 118, 128, 138, 139, 134, 135}


def picture_size(codec: str, keyframe: bytes) -> tuple[int, int]:
    name = codec.upper()
    if name == "VP8" and len(keyframe) >= 10 and keyframe[3:6] == b"\x9d\x01\x2a":
        width = int.from_bytes(keyframe[6:8], "little") & 0x3FFF
        height = int.from_bytes(keyframe[8:10], "little") & 0x3FFF
        return width, height
    if name == "H264":
        for nal in _nal_units(keyframe):
            if nal and nal[0] & 0x1F == 7:
                try:
                    return _sps_size(_unescape(nal[1:]))
                except IndexError:
                    return 0, 0
    return 0, 0


def _nal_units(data: bytes) -> Iterator[bytes]:
    """The NAL units of an Annex B stream (start codes 00 00 01 or 00 00 00 01)."""
    starts = []
    at = data.find(b"\x00\x00\x01")
    while at >= 0:
        starts.append(at + 3)
        at = data.find(b"\x00\x00\x01", at + 3)
    for i, start in enumerate(starts):
        end = starts[i + 1] - 3 if i + 1 < len(starts) else len(data)
        yield data[start:end].rstrip(b"\x00")


def _unescape(rbsp: bytes) -> bytes:
    return rbsp.replace(b"\x00\x00\x03", b"\x00\x00")


class _Bits:
    def __init__(self, data: bytes) -> None:
        self.data = data
        self.at = 0

    def bit(self) -> int:
        value = (self.data[self.at >> 3] >> (7 - (self.at & 7))) & 1
        self.at += 1
        return value

    def bits(self, count: int) -> int:
        value = 0
        for _ in range(count):
            value = (value << 1) | self.bit()
        return value

    def ue(self) -> int:
        zeros = 0
        while self.bit() == 0:
            zeros += 1
        return (1 << zeros) - 1 + self.bits(zeros)

    def se(self) -> int:
        value = self.ue()
        return (value + 1) // 2 if value & 1 else -(value // 2)


def _sps_size(sps: bytes) -> tuple[int, int]:
    b = _Bits(sps)
    profile = b.bits(8)
    b.bits(16)  # constraint flags, level
    b.ue()  # seq_parameter_set_id
    chroma = 1
    if profile in HIGH_PROFILES:
        chroma = b.ue()
        if chroma == 3:
            b.bit()
        b.ue()
        b.ue()  # bit depths
        b.bit()
        if b.bit():  # scaling matrices: not read here
            return 0, 0
    b.ue()  # log2_max_frame_num
    order = b.ue()
    if order == 0:
        b.ue()
    elif order == 1:
        b.bit()
        b.se()
        b.se()
        for _ in range(b.ue()):
            b.se()
    b.ue()  # max_num_ref_frames
    b.bit()
    width_mbs = b.ue() + 1
    height_units = b.ue() + 1
    frame_mbs_only = b.bit()
    if not frame_mbs_only:
        b.bit()
    b.bit()  # direct_8x8_inference
    left = right = top = bottom = 0
    if b.bit():
        left, right, top, bottom = b.ue(), b.ue(), b.ue(), b.ue()
    crop_x = 1 if chroma == 0 or chroma == 3 else 2
    crop_y = (1 if chroma in (0, 3) else (2 if chroma == 1 else 1)) * (2 - frame_mbs_only)
    width = width_mbs * 16 - crop_x * (left + right)
    height = height_units * 16 * (2 - frame_mbs_only) - crop_y * (top + bottom)
    return width, height
