"""Store errors: each maps to one HTTP status and a stable code."""

from __future__ import annotations

from edgeplane._kit.errors import Conflict, Error, NotFound


class StoreError(Error):
    code = "store-error"


class OrgNotFound(NotFound):
    code = "org-not-found"


class ModelNotFound(NotFound):
    code = "model-not-found"


class VersionNotFound(NotFound):
    code = "version-not-found"


class NodeNotFound(NotFound):
    code = "node-not-found"


class AlreadyExists(Conflict):
    code = "already-exists"


class VersionExists(Conflict):
    code = "version-exists"


class VersionIncomplete(Conflict):
    code = "version-incomplete"
