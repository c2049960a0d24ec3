"""Typed client of the hub API, used by the CLI, the agent and the tests.

Usage: ``from edgeplane.client import HubClient`` (admin/CLI, sync) or ``NodeClient`` (agent, async).
"""

from edgeplane.client.errors import ClientError, HubError, HubUnreachable, VerifyFailed
from edgeplane.client.hub import HubClient
from edgeplane.client.node import BlobRejected, BlobUnavailable, NodeClient, RetryLater
from edgeplane.client.transfer import Progress, PushOptions, pull, push, scan

__all__ = [
    "BlobRejected",
    "BlobUnavailable",
    "ClientError",
    "HubClient",
    "HubError",
    "HubUnreachable",
    "NodeClient",
    "Progress",
    "PushOptions",
    "RetryLater",
    "VerifyFailed",
    "pull",
    "push",
    "scan",
]
