"""The WebRTC bridge to the bridge points: the registry (``registry``, ``tokens``), WHIP/WHEP
signalling checks (``sdp_offer``, ``peers``), the forwarding relay (``room``, ``source``,
``forward_track``, ``speaker``; aiortc internals only in ``aiortc_hooks``), the control
channel's events (``events``) and a headless bridge point (``client``, ``whip_client``,
``media``). Imports only ``command_center`` contracts; the routes live in the server shell
(``command_center/server/video_routes.py``)."""
