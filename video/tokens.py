"""Bridge-point credentials: ``keys.devices`` tokens of kind ``bridge``, never stored.

A point's token is ``devices.issue("bridge", <point id>)``: the YAML registry holds no
secret, ``run_wall.py bridge-tokens`` prints them, ``run_wall.py credentials revoke bridge
<id>`` revokes one and ``run_wall.py rotate-keys --kind bridge`` all of them.
"""

from __future__ import annotations

from command_center.credentials import DeviceCredentials, DeviceKind

BRIDGE_KIND = DeviceKind.BRIDGE


def point_token(devices: DeviceCredentials, point_id: str) -> str:
    return devices.issue(BRIDGE_KIND, point_id)


async def check_point_token(
    devices: DeviceCredentials, point_id: str, token: str, address: str | None = None
) -> bool:
    return await devices.check(BRIDGE_KIND, point_id, token, address)
