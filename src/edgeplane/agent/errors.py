"""The agent's error tree.

Every reconcile step says whether a failure is temporary (retry after a delay: a cut network, a busy
file, a full disk that may be freed) or permanent (report and stop until desired state changes: bytes
that do not match their digest, a manifest we cannot honour).
"""

from __future__ import annotations

from edgeplane._kit.errors import Error


class AgentError(Error):
    code = "agent-error"
    status = 500
    temporary: bool = False


class TemporaryError(AgentError):
    """Retrying later may succeed."""

    code = "agent-temporary"
    status = 503
    temporary = True


class PermanentError(AgentError):
    """Retrying the same thing will fail the same way."""

    code = "agent-permanent"
    status = 422


class SourceError(TemporaryError):
    """The blob source broke off (network cut, hub unavailable) or sent too few bytes."""

    code = "source-failed"


class DiskFullError(TemporaryError):
    """ENOSPC (or EDQUOT) while storing or materialising a model; the previous version stays active."""

    code = "disk-full"


class BusyError(TemporaryError):
    """Another process holds the write of the same blob."""

    code = "busy"


class CorruptDownloadError(PermanentError):
    """The bytes received do not match the manifest's size or sha256."""

    code = "corrupt-download"


class InstallError(PermanentError):
    code = "install-failed"


class SourceRejectedError(PermanentError):
    """The blob source refused the blob for good (not found, not assigned to this node)."""

    code = "source-rejected"
