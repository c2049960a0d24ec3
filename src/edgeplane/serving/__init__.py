"""The edge inference server: Open Inference Protocol V2 REST over pluggable backends.

``app.create_app`` builds the ASGI app; ``server.InferenceServer`` is the programmatic control surface the
agent drives in-process (``apply(config)``, ``stats()``); ``config.ServingConfig`` is what it applies.
This package never imports ``hub`` or ``agent``.
"""
