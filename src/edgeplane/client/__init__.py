"""Typed client of the hub API, used by the CLI, the agent and the tests.

Usage: ``from edgeplane.client import HubClient``.
"""

from edgeplane.client.errors import ClientError, HubError, HubUnreachable, VerifyFailed
from edgeplane.client.hub import HubClient
from edgeplane.client.transfer import Progress, PushOptions, pull, push, scan

__all__ = [
    "ClientError",
    "HubClient",
    "HubError",
    "HubUnreachable",
    "Progress",
    "PushOptions",
    "VerifyFailed",
    "pull",
    "push",
    "scan",
]
