"""Artifact throughput: upload then download a 1 GiB file through the hub on loopback, side by side with
nginx serving the same file to curl.

Prints MB/s for each leg, our ratio to nginx+curl, and the hub's peak RSS. Digests are verified on both
sides: the hub verifies the upload before publishing the blob, the client hashes while downloading and
compares. Usage: ``python bench/artifacts.py [--size-mb 1024]``.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
import time
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
import _common

from edgeplane.client import transfer
from edgeplane.client.hub import HubClient
from edgeplane.schemas import models

MB = 1_000_000


def make_file(path: Path, size: int) -> str:
    h = hashlib.sha256()
    block = os.urandom(4 * 1024 * 1024)
    with path.open("wb") as f:
        left = size
        while left > 0:
            chunk = block[: min(left, len(block))]
            f.write(chunk)
            h.update(chunk)
            left -= len(chunk)
    return h.hexdigest()


def start_nginx(stack: ExitStack, work: Path, root: Path) -> str:
    """nginx (installed from Debian when missing) serving ``root`` on a loopback port; its base URL."""
    if shutil.which("nginx") is None and Path("/usr/sbin/nginx").exists() is False:
        print("installing nginx from Debian ...", flush=True)
        subprocess.run(["apt-get", "update", "-qq"], check=True, stdout=subprocess.DEVNULL)
        subprocess.run(
            ["apt-get", "install", "-y", "-qq", "nginx"],
            check=True,
            stdout=subprocess.DEVNULL,
            env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"},
        )
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    port = _common.free_port()
    conf = work / "nginx.conf"
    conf.write_text(f"""user root; daemon off; worker_processes 1; pid {work}/nginx.pid; error_log {work}/nginx.err;
events {{ worker_connections 64; }}
http {{ access_log off; sendfile on; tcp_nopush on; client_body_temp_path {work}/tmp;
  proxy_temp_path {work}/tmp; fastcgi_temp_path {work}/tmp; uwsgi_temp_path {work}/tmp; scgi_temp_path {work}/tmp;
  server {{ listen 127.0.0.1:{port}; root {root}; }} }}
""")
    proc = subprocess.Popen([nginx, "-c", str(conf), "-p", str(work)], stderr=subprocess.DEVNULL)
    stack.callback(lambda: (proc.terminate(), proc.wait(10)))
    time.sleep(0.5)
    return f"http://127.0.0.1:{port}"


def curl(url: str, out: Path | None, *, fsync: bool = False) -> float:
    """Seconds for ``curl -o`` to fetch ``url`` into ``out`` (None: /dev/null), optionally fsyncing after."""
    os.sync()  # start every leg with no dirty pages from the one before
    t = time.perf_counter()
    subprocess.run(["curl", "-sf", "-o", str(out or "/dev/null"), url], check=True)
    if out is not None and fsync:
        with out.open("rb+") as f:
            os.fsync(f.fileno())
    took = time.perf_counter() - t
    if out is not None:
        out.unlink()
    return took


@dataclass
class Legs:
    """Best-of-N seconds per leg."""

    up: float = float("inf")
    down: float = float("inf")
    down_nosync: float = float("inf")
    curl_null: float = float("inf")
    curl_file: float = float("inf")
    curl_fsync: float = float("inf")

    def keep(self, **took: float) -> None:
        for k, v in took.items():
            setattr(self, k, min(getattr(self, k), v))


def warm(path: Path) -> None:
    """Read ``path`` once so every download leg starts from the same (cached) state of the served file."""
    with path.open("rb") as f:
        while f.read(8 * 1024 * 1024):
            pass


def download_legs(hub: HubClient, work: Path, entry: models.FileEntry, blob: Path, ref: str) -> dict[str, float]:
    """Ours (durable and not) and curl (to a file, to a file then fsync, to /dev/null), all reading ``blob``."""
    took = {}
    for leg, durable in (("down", True), ("down_nosync", False)):
        dest = work / "down" / "model.bin"
        warm(blob)
        os.sync()
        t = time.perf_counter()
        transfer.fetch(hub, "default", entry, dest, transfer.NoProgress(), durable=durable)
        took[leg] = time.perf_counter() - t
        dest.unlink()
    copy = work / "curl-copy.bin"
    for leg, out, fsync in (("curl_file", copy, False), ("curl_fsync", copy, True), ("curl_null", None, False)):
        warm(blob)
        took[leg] = curl(ref, out, fsync=fsync)
    return took


def one_round(
    hub: HubClient, work: Path, src: Path, entry: models.FileEntry, blob: Path, ref: str, i: int
) -> dict[str, float]:
    """Upload (as version r<i>), every download leg, then drop the version so the next round uploads anew."""
    version = f"r{i}"
    hub.create_version("default", "bench", models.VersionCreate(version=version, files=[entry]))
    os.sync()
    t = time.perf_counter()
    status = hub.upload_file("default", entry.sha256, entry.size, 0, src)
    up = time.perf_counter() - t
    assert status.complete, status
    hub.commit_version("default", "bench", version)
    took = {"up": up} | download_legs(hub, work, entry, blob, ref)
    hub.delete_version("default", "bench", version)  # the hub deletes the unreferenced blob
    return took


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--size-mb", type=int, default=1024, help="file size in MiB")
    ap.add_argument("--rounds", type=int, default=3, help="rounds; each leg reports its best")
    args = ap.parse_args()
    size = args.size_mb * 1024 * 1024
    with tempfile.TemporaryDirectory(prefix="ep-bench-") as tmp, ExitStack() as stack:
        work = Path(tmp)
        src = work / "src" / "model.bin"
        src.parent.mkdir()
        entry = models.FileEntry(path="model.bin", size=size, sha256=make_file(src, size))
        url, proc = _common.start_hub(stack, work)
        token = (work / "hub" / "admin-token").read_text().strip()
        hub = stack.enter_context(HubClient(url, token, timeout=600))
        # nginx serves the very file the hub stores, so both servers read the same bytes from the same cache.
        served = work / "hub" / "artifacts" / "sha256"
        blob = served / entry.sha256[:2] / entry.sha256
        ref = f"{start_nginx(stack, work, served)}/{blob.relative_to(served)}"
        legs = Legs()
        with _common.RssSampler(proc.pid) as rss:
            for i in range(args.rounds):  # interleaved, so both sides meet the same disk and page cache
                legs.keep(**one_round(hub, work, src, entry, blob, ref, i))
    report(size, entry.sha256, legs, rss.peak)


def report(size: int, digest: str, legs: Legs, rss: float) -> None:
    mbs = {k: size / v / MB for k, v in vars(legs).items()}
    print(f"file: {size / MB:.0f} MB, sha256 {digest[:16]}..., best of each leg over the rounds")
    print(f"upload   client->hub         {mbs['up']:6.0f} MB/s  (digest verified by the hub, fsynced before 201)")
    print(f"download hub->client         {mbs['down']:6.0f} MB/s  (digest verified by the client, fsynced: model pull)")
    print(f"download hub->client nosync  {mbs['down_nosync']:6.0f} MB/s  (the same unsynced: model pull --no-fsync)")
    print(f"download nginx->curl file    {mbs['curl_file']:6.0f} MB/s  (curl -o FILE on the same disk)")
    print(f"download nginx->curl fsync   {mbs['curl_fsync']:6.0f} MB/s  (the same, then fsync: durable like ours)")
    print(f"download nginx->curl null    {mbs['curl_null']:6.0f} MB/s  (curl -o /dev/null: no disk, no hashing)")
    peers = ("curl_file", "curl_fsync", "curl_null")
    for leg in ("down", "down_nosync", "up"):
        print(f"ratio {leg:<11}", "  ".join(f"{mbs[leg] / mbs[peer]:.2f}x vs {peer}" for peer in peers))
    print(f"hub peak RSS                 {rss:6.0f} MB")
    # Like against like: our fsynced download against curl's fsynced one, our unsynced one against plain curl -o
    # FILE. The target is judged on the worse of the two; the cross ratios above are printed for the record.
    like = min(mbs["down"] / mbs["curl_fsync"], mbs["down_nosync"] / mbs["curl_file"])
    print(_common.target("download_vs_nginx_curl", like, 0.7, "x"))
    print(_common.target("upload_vs_nginx_curl", mbs["up"] / mbs["curl_file"], 0.5, "x"))
    print(_common.target("hub_rss_mb", rss, 200, " MB", higher_is_better=False))


if __name__ == "__main__":
    main()
