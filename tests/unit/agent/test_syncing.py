"""The sync loops on fake time: what they send, how long they wait after failures, what they apply."""

from __future__ import annotations

import pytest

from edgeplane.agent import syncing
from edgeplane.agent.settings import SyncSettings
from edgeplane.client import errors as client_errors
from edgeplane.client import node as hubnode
from edgeplane.schemas.desired import DesiredState, StatusEntry, StatusReport
from edgeplane.schemas.nodes import Heartbeat, NodeInfo
from edgeplane.schemas.policy import NodePolicy

pytestmark = pytest.mark.anyio


class ScriptedHub:
    """Each call pops the next outcome: an exception is raised, anything else returned."""

    def __init__(self, *outcomes: object) -> None:
        self.outcomes = list(outcomes)
        self.calls: list[tuple[str, object]] = []

    def _next(self, name: str, arg: object) -> object:
        self.calls.append((name, arg))
        out = self.outcomes.pop(0) if self.outcomes else None
        if isinstance(out, BaseException):
            raise out
        return out

    async def desired(self, after: int = -1, wait: float = 0) -> DesiredState | None:
        out = self._next("desired", after)
        return out if isinstance(out, DesiredState) else None

    async def report_status(self, report: StatusReport) -> None:
        self._next("status", report)

    async def heartbeat(self, body: Heartbeat) -> None:
        self._next("heartbeat", body)

    async def set_policy(self, policy: NodePolicy) -> NodeInfo:
        self._next("policy", policy)
        return NodeInfo.model_validate({"id": "n", "org": "o", "name": "n", "kind": "device", "policy": {},
                                        "builtin": [], "agent_version": "", "registered_at": "2025-01-01T00:00:00Z",
                                        "last_seen": None})


class FakeLocal:
    def __init__(self) -> None:
        self.applied: list[int] = []
        self.pending: list[StatusEntry] = []
        self.cursor = 0

    def generation(self) -> int:
        return self.applied[-1] if self.applied else -1

    def apply(self, state: DesiredState) -> None:
        self.applied.append(state.generation)

    def pending_status(self, limit: int = 500) -> tuple[list[StatusEntry], int]:
        return self.pending[:limit], len(self.pending)

    def mark_reported(self, cursor: int) -> None:
        self.pending = self.pending[cursor:]


def sync(hub: ScriptedHub, local: FakeLocal, slept: list[float]) -> syncing.Sync:
    async def sleep(s: float) -> None:
        slept.append(s)

    return syncing.Sync(hub=hub, local=local, settings=SyncSettings(wait_s=30, heartbeat_s=60), sleep=sleep,
                        draw=lambda a, b: b)


def state(generation: int) -> DesiredState:
    return DesiredState(org="o", node_id="n", generation=generation)


def down() -> Exception:
    return client_errors.HubUnreachable("http://hub", ConnectionRefusedError("refused"))


async def test_poll_backs_off_exponentially_then_converges_and_resets() -> None:
    hub = ScriptedHub(down(), down(), down(), down(), state(4), None, down())
    local, slept = FakeLocal(), []
    await syncing.poll(sync(hub, local, slept), rounds=7)
    assert slept == [1.0, 2.0, 4.0, 8.0, 1.0]  # capped draws; a success resets the backoff
    assert local.applied == [4]
    assert [a for _, a in hub.calls] == [-1, -1, -1, -1, -1, 4, 4]  # always asks for newer than what it has


async def test_poll_honours_retry_after() -> None:
    hub = ScriptedHub(hubnode.RetryLater(429, {}, 20.0), state(1))
    local, slept = FakeLocal(), []
    await syncing.poll(sync(hub, local, slept), rounds=2)
    assert slept == [25.0]  # 20 s + at most a quarter of jitter (the draw returns its upper bound)
    assert local.applied == [1]


async def test_poll_survives_a_bad_answer() -> None:
    hub = ScriptedHub(ValueError("not a desired state"), state(2))
    local, slept = FakeLocal(), []
    await syncing.poll(sync(hub, local, slept), rounds=2)
    assert local.applied == [2] and slept == [1.0]


async def test_report_resends_until_delivered() -> None:
    hub = ScriptedHub(down(), None)
    local, slept = FakeLocal(), []
    local.applied.append(3)
    local.pending = [StatusEntry(kind="model", key="o/m@1.0.0", state="active")]
    await syncing.report(sync(hub, local, slept), rounds=3)
    sent = [r for name, r in hub.calls if name == "status"]
    assert len(sent) == 2 and sent[0] == sent[1]
    assert isinstance(sent[1], StatusReport) and sent[1].generation == 3
    assert local.pending == [] and slept == [1.0, 0.5]  # backoff, then the idle interval


async def test_heartbeat_sends_policy_and_builtins_once_then_beats() -> None:
    hub = ScriptedHub(down(), None, None, None)
    local, slept = FakeLocal(), []
    await syncing.heartbeat(sync(hub, local, slept), rounds=3)
    assert [name for name, _ in hub.calls] == ["policy", "policy", "heartbeat", "heartbeat"]
    beats = [b for name, b in hub.calls if name == "heartbeat"]
    assert isinstance(beats[0], Heartbeat) and beats[0].builtin == []
    assert isinstance(beats[1], Heartbeat) and beats[1].builtin is None
    assert slept == [1.0, 66.0, 66.0]  # heartbeat_s with +10% jitter (upper bound)
