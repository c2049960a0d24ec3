"""Where things live in the agent's data dir. The only place that composes local paths.

Names coming from the hub are checked against the shared name/version rules before they become path
segments, so nothing from the wire can climb out of the data dir.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from edgeplane._kit import ids
from edgeplane._kit.errors import InvalidInput

_VERSION = re.compile(ids.VERSION_PATTERN)
DB_FILE = "agent.db"


def check_version(value: str, *, field: str = "version") -> str:
    if not _VERSION.match(value):
        raise InvalidInput(f"{value!r} is not a valid version", field=field)
    return value


def _owned(org: str, name: str) -> Path:
    """``<org>/<name>``, both checked first: names from the wire never climb out of the data dir."""
    return Path(ids.check_name(org, field="org"), ids.check_name(name, field="name"))


@dataclass(frozen=True)
class Layout:
    """Paths under one data dir."""

    root: Path

    @property
    def db(self) -> Path:
        return self.root / DB_FILE

    @property
    def blobs(self) -> Path:
        return self.root / "blobs"

    @property
    def models(self) -> Path:
        return self.root / "models"

    @property
    def ess(self) -> Path:
        return self.root / "ess"

    @property
    def workloads(self) -> Path:
        return self.root / "workloads"

    @property
    def ca_cert(self) -> Path:
        return self.ess / "ca.pem"

    @property
    def default_socket(self) -> Path:
        return self.root / "ess.sock"

    def model_dir(self, org: str, name: str) -> Path:
        return self.models / _owned(org, name)

    def version_dir(self, org: str, name: str, version: str) -> Path:
        return self.model_dir(org, name) / check_version(version)

    def workload_dir(self, org: str, name: str) -> Path:
        return self.workloads / _owned(org, name)

    def workload_logs(self, org: str, name: str) -> Path:
        return self.root / "logs" / _owned(org, name)

    def make(self) -> None:
        for path in (self.root, self.blobs, self.models, self.ess):
            path.mkdir(parents=True, exist_ok=True)
        self.root.chmod(0o700)
