"""The serving error tree. Each class maps to one HTTP status; V2 bodies are ``{"error": "<message>"}``.

Backends translate framework exceptions into these at the boundary (``raise BadRequest(...) from e``).
"""

from __future__ import annotations

from edgeplane._kit import errors


class ServingError(errors.Error):
    """Root of errors raised by the inference server."""

    code = "serving-error"
    status = 500


class BadRequest(ServingError):
    """The request is malformed or does not match the model's inputs."""

    code = "bad-request"
    status = 400


class ModelNotFound(ServingError):
    code = "model-not-found"
    status = 404


class ModelUnavailable(ServingError):
    """The model exists in the config but has no version in service right now."""

    code = "model-unavailable"
    status = 503


class Unauthorized(ServingError):
    code = "unauthorized"
    status = 401


class LoadFailed(ServingError):
    """A version could not be loaded or failed its warm-up inference; it is not put into service."""

    code = "load-failed"
    status = 503


class InferenceFailed(ServingError):
    """The backend raised while running a well-formed request."""

    code = "inference-failed"
    status = 500
