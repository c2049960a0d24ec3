"""What the node says about itself: the built-in ``openhorizon.*`` properties and the user's policy file.

Who calls it: :mod:`edgeplane.agent.identity` (registration) and :mod:`edgeplane.agent.syncing` (heartbeat,
policy). Built-ins are detected, never configured: ``openhorizon.arch`` (Go style: amd64, arm64),
``openhorizon.cpu`` (logical CPUs), ``openhorizon.memory`` (MB), ``openhorizon.operatingSystem`` and
``openhorizon.hardwareId`` (``/etc/machine-id``, else a random id generated once and kept in the data dir).
"""

from __future__ import annotations

import json
import os
import platform
import uuid
from pathlib import Path

from pydantic import ValidationError

from edgeplane._kit.errors import InvalidInput
from edgeplane.agent.workloads import env
from edgeplane.schemas.policy import NodePolicy, Property

MACHINE_ID_FILES = (Path("/etc/machine-id"), Path("/var/lib/dbus/machine-id"))


def builtin(data_dir: Path, *, arch: str = "", machine_id_files: tuple[Path, ...] = MACHINE_ID_FILES,
            meminfo: Path = Path("/proc/meminfo")) -> list[Property]:
    """The ``openhorizon.*`` properties of this host."""
    return [
        Property(name="openhorizon.arch", value=arch or env.detect_arch(), type="string"),
        Property(name="openhorizon.cpu", value=os.cpu_count() or 1, type="int"),
        Property(name="openhorizon.memory", value=memory_mb(meminfo), type="int"),
        Property(name="openhorizon.operatingSystem", value=platform.system().lower(), type="string"),
        Property(name="openhorizon.hardwareId", value=hardware_id(data_dir, machine_id_files), type="string"),
    ]


def memory_mb(meminfo: Path = Path("/proc/meminfo")) -> int:
    """Total memory in MB (``MemTotal`` of /proc/meminfo; sysconf where there is none)."""
    try:
        for line in meminfo.read_text().splitlines():
            if line.startswith("MemTotal:"):
                return int(line.split()[1]) // 1024
    except (OSError, ValueError, IndexError):
        pass
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") // (1024 * 1024)
    except (OSError, ValueError, AttributeError):
        return 0


def hardware_id(data_dir: Path, machine_id_files: tuple[Path, ...] = MACHINE_ID_FILES) -> str:
    """The OS's machine id; without one, an id generated once and kept as ``<data_dir>/hardware-id``."""
    for path in machine_id_files:
        try:
            value = path.read_text().strip()
        except OSError:
            continue
        if value:
            return value
    kept = data_dir / "hardware-id"
    try:
        return kept.read_text().strip()
    except FileNotFoundError:
        value = uuid.uuid4().hex
        data_dir.mkdir(parents=True, exist_ok=True)
        tmp = kept.with_suffix(".tmp")
        tmp.write_text(value + "\n")
        tmp.replace(kept)
        return value


def load_policy(path: Path | None) -> NodePolicy:
    """The user's OH node policy JSON (``properties``, ``constraints``, ``deployment``); empty without one."""
    if path is None:
        return NodePolicy()
    try:
        return NodePolicy.model_validate(json.loads(path.read_text()))
    except OSError as e:
        raise InvalidInput(f"cannot read {path}: {e.strerror or e}", field="--properties") from e
    except (ValueError, ValidationError) as e:
        raise InvalidInput(f"{path} is not an OH node policy: {e}", field="--properties",
                           hint='expected {"properties": [{"name": ..., "value": ...}], "constraints": [...]}') from e
