"""``edgeplane agent unregister``: stop the agent and its workloads, delete the node at the hub, wipe state.

Who calls it: the CLI. Order: a running agent (found through its lock, :mod:`edgeplane.agent.locking`)
gets SIGTERM and stops its workloads and the ESS itself; workloads an agent killed with -9 left behind
are reaped from their pid files; the node is deleted at the hub with its own credential when the hub is
reachable (when it is not, the outcome says so and an admin can delete the node later); finally the
data dir goes. A directory that does not look like an agent's data dir is never deleted.
"""

from __future__ import annotations

import os
import shutil
import signal
import time
from dataclasses import dataclass
from pathlib import Path

from edgeplane._kit.errors import Error, InvalidInput
from edgeplane.agent import identity, locking
from edgeplane.agent import layout as paths
from edgeplane.agent.workloads import supervising
from edgeplane.client import errors as client_errors
from edgeplane.client import node as hubnode

MARKERS = (identity.FILE_NAME, locking.FILE_NAME, paths.DB_FILE)


@dataclass(frozen=True)
class Outcome:
    stopped_pid: int | None
    hub: str  # "deleted", "already-gone", "unreachable: ...", "not-registered"
    removed: bool


def stop_agent(data_dir: Path, *, grace_s: float = 30.0) -> int | None:
    """SIGTERM the agent running on ``data_dir`` and wait (SIGKILL after ``grace_s``); its pid or None."""
    pid = locking.running_pid(data_dir)
    if pid is None:
        return None
    os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + grace_s
    while locking.running_pid(data_dir) is not None:
        if time.monotonic() > deadline:
            os.kill(pid, signal.SIGKILL)
            time.sleep(0.2)
            break
        time.sleep(0.1)
    return pid


def reap_workloads(data_dir: Path) -> None:
    """Kill workload processes an agent left behind (their pid files, checked against their env marker)."""
    root = paths.Layout(data_dir).workloads
    for pid_file in root.glob("*/*/pid"):
        org, name = pid_file.parent.parent.name, pid_file.parent.name
        supervising.kill_orphan(pid_file, f"{org}/{name}")


async def delete_at_hub(data_dir: Path, hub_url: str = "") -> str:
    ident = identity.load(data_dir)
    if ident is None:
        return "not-registered"
    async with hubnode.NodeClient(hub_url or ident.hub_url, org=ident.org, node_id=ident.node_id,
                                  credential=ident.credential, timeout_s=10.0) as client:
        try:
            await client.delete()
        except client_errors.HubError as e:
            if e.http_status in (401, 404):  # the node (and so its credential) is gone already
                return "already-gone"
            raise
        except client_errors.HubUnreachable as e:
            return f"unreachable: {e.detail}"
    return "deleted"


def remove(data_dir: Path) -> bool:
    if not data_dir.exists():
        return False
    if not any((data_dir / m).exists() for m in MARKERS):
        raise InvalidInput(f"{data_dir} does not look like an agent data dir; not deleting it",
                           field="--data-dir", hint=f"it should hold one of {', '.join(MARKERS)}")
    shutil.rmtree(data_dir)
    return True


async def unregister(data_dir: Path, *, hub_url: str = "", grace_s: float = 30.0) -> Outcome:
    if data_dir.exists() and not any((data_dir / m).exists() for m in MARKERS):
        remove(data_dir)  # raises: refuse before stopping or deleting anything
    pid = stop_agent(data_dir, grace_s=grace_s)
    reap_workloads(data_dir)
    try:
        hub = await delete_at_hub(data_dir, hub_url)
    except Error as e:
        hub = f"failed: {e}"
    return Outcome(stopped_pid=pid, hub=hub, removed=remove(data_dir))
