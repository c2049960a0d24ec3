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


def nginx_curl(stack: ExitStack, work: Path, file: Path) -> tuple[float, float]:
    """Seconds for curl to fetch ``file`` from nginx on loopback, best of 3: into /dev/null, and into a file on
    the same disk our client writes to (fsynced, as ours is)."""
    if shutil.which("nginx") is None and Path("/usr/sbin/nginx").exists() is False:
        print("installing nginx from Debian ...", flush=True)
        subprocess.run(["apt-get", "update", "-qq"], check=True, stdout=subprocess.DEVNULL)
        subprocess.run(["apt-get", "install", "-y", "-qq", "nginx"], check=True, stdout=subprocess.DEVNULL,
                       env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"})
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    port = _common.free_port()
    conf = work / "nginx.conf"
    conf.write_text(f"""user root; daemon off; worker_processes 1; pid {work}/nginx.pid; error_log {work}/nginx.err;
events {{ worker_connections 64; }}
http {{ access_log off; sendfile on; tcp_nopush on; client_body_temp_path {work}/tmp;
  proxy_temp_path {work}/tmp; fastcgi_temp_path {work}/tmp; uwsgi_temp_path {work}/tmp; scgi_temp_path {work}/tmp;
  server {{ listen 127.0.0.1:{port}; root {file.parent}; }} }}
""")
    proc = subprocess.Popen([nginx, "-c", str(conf), "-p", str(work)], stderr=subprocess.DEVNULL)
    stack.callback(lambda: (proc.terminate(), proc.wait(10)))
    time.sleep(0.5)
    url = f"http://127.0.0.1:{port}/{file.name}"
    null, disk = float("inf"), float("inf")
    for _ in range(3):
        t = time.perf_counter()
        subprocess.run(["curl", "-sf", "-o", "/dev/null", url], check=True)
        null = min(null, time.perf_counter() - t)
        target = work / "curl-copy.bin"
        t = time.perf_counter()
        subprocess.run(["curl", "-sf", "-o", str(target), url], check=True)
        with target.open("rb+") as f:
            os.fsync(f.fileno())
        disk = min(disk, time.perf_counter() - t)
        target.unlink()
    return null, disk


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--size-mb", type=int, default=1024, help="file size in MiB")
    args = ap.parse_args()
    size = args.size_mb * 1024 * 1024
    with tempfile.TemporaryDirectory(prefix="ep-bench-") as tmp, ExitStack() as stack:
        work = Path(tmp)
        src = work / "src" / "model.bin"
        src.parent.mkdir()
        digest = make_file(src, size)
        url, proc = _common.start_hub(stack, work)
        token = (work / "hub" / "admin-token").read_text().strip()
        hub = stack.enter_context(HubClient(url, token, timeout=600))
        body = models.VersionCreate(version="1", files=[models.FileEntry(path="model.bin", size=size, sha256=digest)])
        with _common.RssSampler(proc.pid) as rss:
            hub.create_version("default", "bench", body)
            t = time.perf_counter()
            status = hub.upload_file("default", digest, size, 0, src)
            up = time.perf_counter() - t
            assert status.complete, status
            hub.commit_version("default", "bench", "1")
            downs = []
            for i in range(3):
                dest = work / f"down{i}" / "model.bin"
                t = time.perf_counter()
                transfer.fetch(hub, "default", models.FileEntry(path="model.bin", size=size, sha256=digest), dest,
                               transfer.NoProgress())
                downs.append(time.perf_counter() - t)
                dest.unlink()
        down = min(downs)
        ref, ref_disk = nginx_curl(stack, work, src)
    up_mbs, down_mbs, ref_mbs, disk_mbs = size / up / MB, size / down / MB, size / ref / MB, size / ref_disk / MB
    print(f"file: {size / MB:.0f} MB, sha256 {digest[:16]}...")
    print(f"upload   client->hub      {up_mbs:8.0f} MB/s  ({up:.2f} s, digest verified by the hub)")
    print(f"download hub->client      {down_mbs:8.0f} MB/s  (best of 3, {down:.2f} s, digest verified by the client)")
    print(f"download nginx->curl      {ref_mbs:8.0f} MB/s  (best of 3, {ref:.2f} s, into /dev/null, no verification)")
    print(f"download nginx->curl file {disk_mbs:8.0f} MB/s  (best of 3, {ref_disk:.2f} s, into a file, fsynced)")
    print(f"ratio download/nginx file {down_mbs / disk_mbs:8.2f}x  (same sink: both write the file to this disk)")
    print(f"ratio download/nginx      {down_mbs / ref_mbs:8.2f}x")
    print(f"ratio upload/nginx        {up_mbs / ref_mbs:8.2f}x")
    print(f"hub peak RSS              {rss.peak:8.0f} MB")
    print(_common.target("download_vs_nginx_curl", down_mbs / ref_mbs, 0.7, "x"))
    print(_common.target("upload_vs_nginx_curl", up_mbs / ref_mbs, 0.5, "x"))
    print(_common.target("hub_rss_mb", rss.peak, 200, " MB", higher_is_better=False))


if __name__ == "__main__":
    main()
