"""Starting real edgeplane processes on 127.0.0.1 for end-to-end tests."""

from __future__ import annotations

import hashlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

EDGEPLANE = [sys.executable, "-m", "edgeplane.cli.main"]


def make_model(path: Path, size: int) -> str:
    """A file of ``size`` bytes (whole MiBs) that is not all one byte; returns its sha256."""
    block = hashlib.sha256(b"seed").digest() * 32768  # 1 MiB of non-trivial bytes
    h = hashlib.sha256()
    with path.open("wb") as f:
        for i in range(size // len(block)):
            chunk = bytes([i % 251]) + block[1:]
            f.write(chunk)
            h.update(chunk)
    return h.hexdigest()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class HubProcess:
    url: str
    data_dir: Path
    proc: subprocess.Popen[bytes]
    log: Path

    @property
    def token(self) -> str:
        return (self.data_dir / "admin-token").read_text().strip()

    def env(self, token: str | None = None) -> dict[str, str]:
        return {**os.environ, "EDGEPLANE_HUB": self.url, "EDGEPLANE_TOKEN": token or self.token}


def wait_healthy(url: str, proc: subprocess.Popen[bytes], log: Path, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"process exited with {proc.returncode}:\n{log.read_text()[-3000:]}")
        try:
            if httpx.get(f"{url}/healthz", timeout=1.0).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"{url} not healthy after {timeout}s:\n{log.read_text()[-3000:]}")


@contextmanager
def hub(
    data_dir: Path, *, database_url: str = "", artifacts: Path | None = None, extra: Sequence[str] = (),
    port: int | None = None,
) -> Iterator[HubProcess]:
    port = port or free_port()
    data_dir.mkdir(parents=True, exist_ok=True)
    log = data_dir / f"hub-{port}.log"
    args = [*EDGEPLANE, "hub", "serve", "--host", "127.0.0.1", "--port", str(port), "--data-dir", str(data_dir)]
    if database_url:
        args += ["--database-url", database_url]
    if artifacts is not None:
        args += ["--artifacts", str(artifacts)]
    with log.open("wb") as out:
        proc = subprocess.Popen([*args, *extra], stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(url, proc, log)
        yield HubProcess(url=url, data_dir=data_dir, proc=proc, log=log)
    finally:
        stop(proc)


def stop(proc: subprocess.Popen[bytes], sig: int = signal.SIGTERM) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, sig)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def cli(args: Sequence[str], env: dict[str, str], timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*EDGEPLANE, *args], env=env, capture_output=True, text=True, timeout=timeout)


# -- agents -------------------------------------------------------------------------------------------


@dataclass
class AgentProcess:
    data_dir: Path
    proc: subprocess.Popen[bytes]
    log: Path

    @property
    def node_id(self) -> str:
        return str(json.loads((self.data_dir / "node.json").read_text())["node_id"])

    def workload_dir(self, name: str, org: str = "default") -> Path:
        return self.data_dir / "workloads" / org / name


def start_agent(data_dir: Path, hub_url: str, token: str, *, name: str, properties: Path | None = None,
                env: dict[str, str] | None = None, extra: Sequence[str] = ()) -> AgentProcess:
    """Start ``edgeplane agent run`` and wait until it is registered and its ESS socket exists."""
    data_dir.mkdir(parents=True, exist_ok=True)
    log = data_dir.parent / f"{data_dir.name}.log"
    args = [*EDGEPLANE, "agent", "run", "--hub", hub_url, "--registration-token", token, "--data-dir", str(data_dir),
            "--name", name, *(["--properties", str(properties)] if properties else []), *extra]
    fast = {"EDGEPLANE_AGENT_SYNC__BACKOFF_MAX_S": "2", "EDGEPLANE_AGENT_FETCH__RETRY_MAX_S": "2",
            "EDGEPLANE_AGENT_RUNNER__BACKOFF_MAX_S": "2", "EDGEPLANE_AGENT_RUNNER__STOP_GRACE_S": "3"}
    with log.open("ab") as out:
        proc = subprocess.Popen(args, env={**os.environ, **fast, **(env or {})}, stdout=out,
                                stderr=subprocess.STDOUT, start_new_session=True)
    agent = AgentProcess(data_dir=data_dir, proc=proc, log=log)
    wait_for(lambda: (data_dir / "node.json").exists() and (data_dir / "ess.sock").exists(), proc=proc, log=log,
             what="agent registered and serving the ESS")
    return agent


@contextmanager
def agent(data_dir: Path, hub_url: str, token: str, **kwargs: Any) -> Iterator[AgentProcess]:
    a = start_agent(data_dir, hub_url, token, **kwargs)
    try:
        yield a
    finally:
        stop(a.proc)


def wait_for(check: Callable[[], object], *, timeout: float = 60.0, proc: subprocess.Popen[bytes] | None = None,
             log: Path | None = None, what: str = "condition") -> Any:
    """Poll ``check`` until it returns something truthy; fail with the log's tail otherwise."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"process exited with {proc.returncode} waiting for {what}:\n{_tail(log)}")
        found = check()
        if found:
            return found
        time.sleep(0.1)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}:\n{_tail(log)}")


def _tail(log: Path | None) -> str:
    return log.read_text(errors="replace")[-4000:] if log is not None and log.exists() else ""


def admin(hub_proc: HubProcess) -> httpx.Client:
    return httpx.Client(base_url=f"{hub_proc.url}/api/v1/orgs/default",
                        headers={"Authorization": f"Bearer {hub_proc.token}"}, timeout=30.0)


def call(client: httpx.Client, method: str, url: str, body: Any = None) -> Any:
    r = client.request(method, url, json=body)
    assert r.status_code < 300, f"{method} {url}: {r.status_code} {r.text}"
    return r.json() if r.content else None


def registration_token(hub_proc: HubProcess) -> str:
    with admin(hub_proc) as c:
        return str(call(c, "POST", "/registration-tokens", {"uses": 100})["token"])


def push_model(hub_proc: HubProcess, path: Path, name: str, version: str, extra: Sequence[str] = ()) -> None:
    done = cli(["model", "push", str(path), "--name", name, "--version", version, "--framework", "onnx", *extra],
               hub_proc.env(), timeout=600)
    assert done.returncode == 0, done.stderr
