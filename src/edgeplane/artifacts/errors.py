"""Artifact errors."""

from __future__ import annotations

from edgeplane._kit.errors import Conflict, Error, InvalidInput, NotFound


class ArtifactError(Error):
    code = "artifact-error"
    status = 500


class BlobNotFound(NotFound):
    code = "blob-not-found"


class DigestMismatch(InvalidInput):
    code = "digest-mismatch"
    status = 422


class OffsetMismatch(Conflict):
    """A chunk that does not start where the stored bytes end (overlap, gap or out of order)."""

    code = "upload-offset-mismatch"

    def __init__(self, detail: str, *, received: int, field: str | None = None) -> None:
        super().__init__(detail, field=field, hint=f"resume the upload from byte {received}")
        self.received = received


class SizeMismatch(InvalidInput):
    code = "size-mismatch"


class UploadBusy(Conflict):
    code = "upload-in-progress"
