"""The hub's long-lived collaborators, bundled once per process and passed down."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from starlette.requests import Request

from edgeplane.artifacts.base import BlobStore
from edgeplane.hub.docs import DocCache
from edgeplane.hub.metrics import HubMetrics
from edgeplane.hub.placing import Placement
from edgeplane.hub.settings import HubSettings
from edgeplane.hub.store.db import Database
from edgeplane.hub.waiting import Waiters

if TYPE_CHECKING:
    from edgeplane.hub.auth import TokenCache


@dataclass(frozen=True)
class Hub:
    settings: HubSettings
    db: Database
    blobs: BlobStore
    metrics: HubMetrics
    placement: Placement
    waiters: Waiters
    docs: DocCache
    tokens: TokenCache


def hub(request: Request) -> Hub:
    """FastAPI dependency: the Hub this app was built with."""
    value: Hub = request.app.state.hub
    return value
