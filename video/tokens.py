"""Bridge-point credentials: derived from the server's device key, never stored.

A point's token is ``device_token(keys.device, "bridge", <point id>)``: the YAML registry
holds no secret, ``run_wall.py bridge-tokens`` prints them, and rotating the device key
revokes every point (and every screen) at once.
"""

from __future__ import annotations

from command_center.auth import check_device_token, device_token

BRIDGE_KIND = "bridge"


def point_token(device_key: bytes, point_id: str) -> str:
    return device_token(device_key, BRIDGE_KIND, point_id)


def check_point_token(device_key: bytes, point_id: str, token: str) -> bool:
    return check_device_token(device_key, BRIDGE_KIND, point_id, token)
