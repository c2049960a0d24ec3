"""The Open Horizon ESS-compatible object API the agent serves to its workloads.

``certs`` makes the CA and server certificate, ``auth`` checks per-workload credentials, ``metadata``
renders objects with OH field names, ``bundles`` packs multi-file models, ``webhooks`` notifies
workloads, ``app`` is the Starlette app, ``serving`` runs it with uvicorn over a unix socket or TCP, TLS.
"""
