"""An Open Horizon-style ESS consumer, stdlib only: the demo ships it as its device workload.

It does what an OH example service does with ``curl --unix-socket``: list new model objects, download
each one's data, ack it ``received`` (or ``deleted`` for a model that was undeployed), and log one line
per event to ``events.log`` in its working directory.
"""

from __future__ import annotations

import base64
import http.client
import json
import os
import socket
import ssl
import sys
import time
from pathlib import Path


class UnixHTTPS(http.client.HTTPSConnection):
    """HTTPS to ``localhost`` over the ESS's unix socket."""

    def __init__(self, path: str, context: ssl.SSLContext) -> None:
        super().__init__("localhost", context=context)
        self.unix_path = path

    def connect(self) -> None:
        raw = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        raw.connect(self.unix_path)
        self.sock = self._context.wrap_socket(raw, server_hostname="localhost")  # type: ignore[attr-defined]


def call(method: str, path: str, out: Path | None = None) -> tuple[int, bytes]:
    auth = json.loads(Path(os.environ["HZN_ESS_AUTH"]).read_text())
    basic = base64.b64encode(f"{auth['id']}:{auth['token']}".encode()).decode()
    context = ssl.create_default_context(cafile=os.environ["HZN_ESS_CERT"])
    conn = UnixHTTPS(os.environ["HZN_ESS_API_ADDRESS"], context)
    try:
        conn.request(method, "/api/v1/objects/" + path, headers={"Authorization": f"Basic {basic}"})
        resp = conn.getresponse()
        body = resp.read()
    finally:
        conn.close()
    if out is not None and resp.status == 200:
        out.write_bytes(body)
    return resp.status, body


def step(models: Path, log: Path) -> None:
    status, body = call("GET", "model")
    if status != 200:
        if status != 404:  # 404: nothing new
            print(f"listing objects: HTTP {status} {body[:200]!r}", flush=True)
        return
    for obj in json.loads(body):
        oid, version = obj["objectID"], obj["version"]
        if obj.get("deleted"):
            (models / oid).unlink(missing_ok=True)
            call("PUT", f"model/{oid}/deleted")
            event = f"deleted {oid} {version}"
        else:
            call("GET", f"model/{oid}/data", out=models / oid)
            call("PUT", f"model/{oid}/received")
            event = f"received {oid} {version} ({(models / oid).stat().st_size} bytes)"
        print(event, flush=True)
        with log.open("a") as f:
            f.write(event + "\n")


def main() -> None:
    models, log = Path("models"), Path("events.log")
    models.mkdir(exist_ok=True)
    while True:
        try:
            step(models, log)
        except OSError as e:  # the agent restarting: say so, try again shortly
            print(f"ESS not reachable: {e}", file=sys.stderr, flush=True)
        time.sleep(0.5)


if __name__ == "__main__":
    main()
