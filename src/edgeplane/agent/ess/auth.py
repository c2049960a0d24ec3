"""Per-workload ESS credentials: HTTP Basic ``<org>/<workload>:<token>`` checked against local state.

The auth file a workload gets (``HZN_ESS_AUTH``) is ``{"id": "<org>/<workload>", "token": "<64 hex>",
"version": "<workload version>"}``, written 0600 by the runner.
"""

from __future__ import annotations

import base64
import binascii
import json
from pathlib import Path

from edgeplane._kit import files
from edgeplane.agent.state import credentials
from edgeplane.agent.state import db as statedb


def workload_of(authorization: str | None, db: statedb.StateDb) -> str | None:
    """The workload (``org/name``) the Authorization header proves, else None."""
    if not authorization or not authorization.lower().startswith("basic "):
        return None
    try:
        decoded = base64.b64decode(authorization[6:].strip(), validate=True).decode()
    except (binascii.Error, UnicodeDecodeError):
        return None
    user, sep, token = decoded.partition(":")
    if not sep or not user or not token:
        return None
    return user if credentials.check(db, user, token) else None


def write_auth_file(path: Path, workload: str, token: str, version: str) -> None:
    """Write the workload's auth.json, 0600, atomically."""
    files.write_private(path, json.dumps({"id": workload, "token": token, "version": version}))
