"""``edgeplane agent run|unregister|install-manifests``: the edge agent's command line.

``run`` starts a device agent (or, with ``--kind cluster``, the agent the install manifests deploy; its
hub URL, token, namespace and data dir then come from ``EDGEPLANE_*`` env). Every option falls back to
the agent settings (``EDGEPLANE_AGENT_*``). ``install-manifests`` is the cluster installer's command,
merged in from :mod:`edgeplane.cli.agent_install`.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Annotated, Any

import anyio
import typer

from edgeplane.agent import running, unregistering
from edgeplane.agent.settings import AgentSettings
from edgeplane.cli import agent_install

app = typer.Typer(help="Run the edge agent on this device, unregister it, or install it on a cluster.",
                  no_args_is_help=True)
# The installer's commands join this group as they are (add_typer without a name would do the same but
# warns about the installer's own group callback, and warnings are errors in our tests).
app.registered_commands.extend(agent_install.app.registered_commands)


@app.command()
def run(
    hub: Annotated[str | None, typer.Option("--hub", help="hub URL, e.g. https://hub.example:8480")] = None,
    registration_token: Annotated[str | None, typer.Option(help="one-time token for the first registration")] = None,
    data_dir: Annotated[Path | None, typer.Option(help="the agent's state (default /var/lib/edgeplane-agent)")]
    = None,
    properties: Annotated[Path | None, typer.Option("--properties", help="OH node policy JSON file "
                                                    "(properties, constraints, deployment)")] = None,
    name: Annotated[str | None, typer.Option(help="node name to register (default: host name)")] = None,
    org: Annotated[str | None, typer.Option(help="org to register in (default: default)")] = None,
    kind: Annotated[str | None, typer.Option(help="device or cluster")] = None,
    arch: Annotated[str | None, typer.Option(help="HZN_ARCH for workloads (default: detected)")] = None,
    kubeconfig: Annotated[Path | None, typer.Option(help="cluster agents: kubeconfig (default: in-cluster "
                                                    "service account)")] = None,
    context: Annotated[str | None, typer.Option(help="cluster agents: kubeconfig context")] = None,
    namespace: Annotated[str | None, typer.Option(help="cluster agents: the agent's namespace (default: "
                                                  "the pod's)")] = None,
    ess_host: Annotated[str | None, typer.Option(help="serve the ESS over TLS on this address (cluster "
                                                 "default 0.0.0.0)")] = None,
    ess_port: Annotated[int | None, typer.Option(help="ESS TCP port (default 8443)")] = None,
    serving_port: Annotated[int | None, typer.Option(help="port of the node's inference server (V2 REST on "
                                                     "127.0.0.1, started once the node has endpoints; "
                                                     "default 8490)")] = None,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="log debug details")] = False,
) -> None:
    """Register once, then pull desired state, deliver models, run workloads and serve the ESS until stopped."""
    given: dict[str, Any] = {"hub_url": hub, "registration_token": registration_token, "data_dir": data_dir,
                             "properties_file": properties, "node_name": name, "org": org, "kind": kind,
                             "arch": arch, "namespace": namespace}
    settings = AgentSettings(**{k: v for k, v in given.items() if v is not None})
    cluster = {"kubeconfig": kubeconfig, "context": context}
    ess = {"host": ess_host, "port": ess_port}
    settings = settings.model_copy(update={
        "cluster": settings.cluster.model_copy(update={k: v for k, v in cluster.items() if v is not None}),
        "ess": settings.ess.model_copy(update={k: v for k, v in ess.items() if v is not None})})
    if serving_port is not None:
        settings = settings.model_copy(update={"serving": settings.serving.model_copy(update={"port": serving_port})})
    logging.basicConfig(level=logging.DEBUG if verbose else logging.INFO,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("httpx").setLevel(logging.WARNING)
    anyio.run(running.run, settings)


@app.command()
def unregister(
    data_dir: Annotated[Path | None, typer.Option(help="the agent's state (default /var/lib/edgeplane-agent)")]
    = None,
    hub: Annotated[str | None, typer.Option("--hub", help="hub URL (default: the one it registered with)")]
    = None,
) -> None:
    """Stop the agent and its workloads, delete the node at the hub (when reachable), remove local state."""
    root = data_dir or AgentSettings().data_dir
    outcome = anyio.run(lambda: unregistering.unregister(root, hub_url=hub or ""))
    if outcome.stopped_pid is not None:
        typer.echo(f"stopped the agent (pid {outcome.stopped_pid}) and its workloads")
    typer.echo(f"hub: {outcome.hub}")
    typer.echo(f"removed {root}" if outcome.removed else f"nothing to remove at {root}")
