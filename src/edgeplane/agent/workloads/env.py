"""The environment and files a device workload starts with: its own dir, the Open Horizon HZN_* env.

A workload does not inherit the agent's environment (which may hold the node credential): it gets a
few harmless variables (PATH, LANG, TZ), its spec's ``env``, then the HZN_* variables, which win.
"""

from __future__ import annotations

import os
import platform
from dataclasses import dataclass
from pathlib import Path

from edgeplane.schemas.desired import DesiredWorkload

PASSED_THROUGH = ("PATH", "LANG", "LC_ALL", "TZ")
MARKER = "EDGEPLANE_WORKLOAD"
"""Set in every workload's env so a restarted agent recognises its orphans in /proc."""

_ARCH = {"x86_64": "amd64", "aarch64": "arm64", "armv7l": "arm", "armv6l": "arm", "i686": "386"}


def detect_arch() -> str:
    machine = platform.machine().lower()
    return _ARCH.get(machine, machine)


@dataclass(frozen=True)
class NodeEnv:
    """What every workload on this node is told."""

    org: str
    node_id: str
    arch: str
    ess_socket: Path
    ca_cert: Path


def build(workload: DesiredWorkload, node: NodeEnv, auth_file: Path) -> dict[str, str]:
    env = {k: os.environ[k] for k in PASSED_THROUGH if k in os.environ}
    env.setdefault("PATH", "/usr/local/bin:/usr/bin:/bin")
    if workload.device is not None:
        env.update(workload.device.env)
    env.update({
        "HZN_ORGANIZATION": node.org,
        "HZN_NODE_ID": node.node_id,
        "HZN_ARCH": node.arch,
        "HZN_ESS_API_PROTOCOL": "secure-unix",
        "HZN_ESS_API_ADDRESS": str(node.ess_socket),
        "HZN_ESS_API_PORT": "0",
        "HZN_ESS_AUTH": str(auth_file),
        "HZN_ESS_CERT": str(node.ca_cert),
        MARKER: f"{workload.org}/{workload.name}",
    })
    return env


def write_files(workload: DesiredWorkload, files_dir: Path) -> None:
    """Write the spec's files under ``files_dir`` (paths were checked to stay inside it)."""
    files_dir.mkdir(parents=True, exist_ok=True)
    if workload.device is None:
        return
    for rel, text in workload.device.files.items():
        target = files_dir / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_name(f".{target.name}.tmp")
        tmp.write_text(text)
        tmp.chmod(0o755 if text.startswith("#!") else 0o644)
        tmp.replace(target)
