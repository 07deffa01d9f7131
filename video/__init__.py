"""The WebRTC bridge to the bridge points (signalling, the aiortc relay, the bridge-point
registry, the headless client). Empty until the video issue lands."""
