"""Helpers shared by the benchmarks: process RSS sampling, TARGET lines, free ports."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
from contextlib import ExitStack
from pathlib import Path

import httpx


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def tree_pids(root: int) -> list[int]:
    """``root`` and all its descendants (from /proc)."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        children.setdefault(ppid, []).append(int(entry.name))
    out, todo = [], [root]
    while todo:
        pid = todo.pop()
        out.append(pid)
        todo.extend(children.get(pid, []))
    return out


def rss_mb(pids: list[int]) -> float:
    total = 0
    for pid in pids:
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except OSError:
            continue
    return total / 1024


class RssSampler:
    """Peak RSS of a process tree, sampled every 50 ms in a thread."""

    def __init__(self, root: int) -> None:
        self.root, self.peak, self._stop = root, 0.0, threading.Event()
        self._t = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> RssSampler:
        self._t.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._t.join()

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, rss_mb(tree_pids(self.root)))
            time.sleep(0.05)


def target(name: str, measured: float, goal: float, unit: str = "", *, higher_is_better: bool = True) -> str:
    met = measured >= goal if higher_is_better else measured <= goal
    cmp = ">=" if higher_is_better else "<="
    return f"TARGET {name}: {measured:.3g}{unit} vs {cmp} {goal:g}{unit} {'MET' if met else 'MISSED'}"


def cpu_count() -> int:
    return os.cpu_count() or 1


def stop(proc: subprocess.Popen[bytes]) -> None:
    """SIGTERM, then SIGKILL after 15 s."""
    proc.terminate()
    try:
        proc.wait(15)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def start_hub(stack: ExitStack, work: Path) -> tuple[str, subprocess.Popen[bytes]]:
    """``edgeplane hub serve`` on a free loopback port with its data under ``work``; stopped by ``stack``."""
    port = free_port()
    log = (work / "hub.log").open("wb")
    stack.callback(log.close)
    proc = subprocess.Popen([sys.executable, "-m", "edgeplane.cli.main", "hub", "serve", "--port", str(port),
                             "--data-dir", str(work / "hub")], stdout=log, stderr=subprocess.STDOUT)
    stack.callback(stop, proc)
    url = f"http://127.0.0.1:{port}"
    for _ in range(300):
        try:
            if httpx.get(f"{url}/healthz").status_code == 200:
                return url, proc
        except httpx.TransportError:
            time.sleep(0.1)
    raise SystemExit(f"hub did not start: see {work / 'hub.log'}")
