"""The node's identity: registration with a one-time token, then its own credential kept in the data dir.

Who calls it: :mod:`edgeplane.agent.running` at start (``load`` first; ``register`` only when there is no
credential yet) and :mod:`edgeplane.agent.unregistering`. The credential file ``<data_dir>/node.json`` is
created with mode 0600 before any byte of the secret is written, and replaced atomically, so it is never
readable by others nor seen half-written. What it leaves out: retry timing (the caller's backoff).
"""

from __future__ import annotations

import json
import platform
import re
from dataclasses import asdict, dataclass
from pathlib import Path

import edgeplane
from edgeplane._kit import files
from edgeplane._kit.errors import InvalidInput
from edgeplane.agent.settings import AgentSettings
from edgeplane.client import node as hubnode
from edgeplane.schemas.nodes import NodeRegister
from edgeplane.schemas.policy import NodePolicy, Property

FILE_NAME = "node.json"


@dataclass(frozen=True)
class Identity:
    """Who this node is at which hub. ``credential`` is a secret: never log it."""

    hub_url: str
    org: str
    node_id: str
    name: str
    credential: str

    def __repr__(self) -> str:
        return f"Identity(hub_url={self.hub_url!r}, org={self.org!r}, node_id={self.node_id!r}, name={self.name!r})"


def path(data_dir: Path) -> Path:
    return data_dir / FILE_NAME


def load(data_dir: Path) -> Identity | None:
    """The stored identity, or None before the first registration."""
    try:
        raw = json.loads(path(data_dir).read_text())
    except FileNotFoundError:
        return None
    except ValueError as e:
        raise InvalidInput(f"{path(data_dir)} is damaged: {e}", hint="run `edgeplane agent unregister` and "
                           "register again with a new token") from e
    return Identity(**{k: str(raw.get(k, "")) for k in Identity.__dataclass_fields__})


def save(data_dir: Path, ident: Identity) -> None:
    """Write the identity 0600 and atomically (a temp file created 0600, fsynced, renamed)."""
    files.write_private(path(data_dir), json.dumps(asdict(ident)))


def node_name(settings: AgentSettings) -> str:
    """The configured name, else the host name made a valid name (lowercase, [a-z0-9._-], <= 63)."""
    if settings.node_name:
        return settings.node_name
    name = re.sub(r"[^a-z0-9._-]+", "-", platform.node().lower()).strip("-._")[:63]
    return name or "node"


async def register(settings: AgentSettings, client: hubnode.NodeClient, policy: NodePolicy,
                   builtin: list[Property]) -> Identity:
    """Register with the registration token and store the credential; ``client`` is authenticated after."""
    if not settings.registration_token:
        raise InvalidInput("this node is not registered and has no registration token",
                           field="--registration-token", hint="ask an admin: `edgeplane node token`")
    body = NodeRegister(registration_token=settings.registration_token, name=node_name(settings),
                        kind=settings.kind, policy=policy, builtin=builtin, agent_version=edgeplane.__version__)
    done = await client.register(body)
    ident = Identity(hub_url=client.base_url, org=done.org, node_id=done.node_id, name=done.name,
                     credential=done.credential)
    save(settings.data_dir, ident)
    client.authenticate(ident.node_id, ident.credential)
    return ident
