"""Every protocol knob of a spec reaches the peers, on Kubernetes as on the local backend:
the pod's environment, read by the real peer CLI, gives the same PeerConfig as the local
supervisor's JSON."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from p2pnet_operator.render import RenderContext, peer_pod
from p2pnet_operator.render.peer_config import peer_config_json
from p2pnet_peer import cli
from p2pnet_peer.config_sections import peer_config, peer_config_from_json

SPEC = {
    "peers": 8,
    "dht": {"preset": "local", "k": 5, "alpha": 2, "beta": 2, "requestTimeout": "750ms"},
    "gossip": {"preset": "local", "fanout": 5, "protocolPeriod": "300ms", "suspicionMult": 6},
    "transfer": {"pieceSize": "64KiB", "uploadLimit": "1MiB/s", "unchokeSlots": 3},
}


def pod_env(ctx: RenderContext) -> dict[str, str]:
    pod = peer_pod(ctx, ctx.plan.peers[0])
    return {e["name"]: e["value"] for e in pod["spec"]["containers"][0]["env"] if "value" in e}


def peer_cli_config(env: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> Any:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return cli._config(cli.resolve(cli.parser().parse_args([])))


def test_pod_env_carries_every_protocol_knob(
    ctx_factory: Callable[..., RenderContext], monkeypatch: pytest.MonkeyPatch
) -> None:
    config = peer_cli_config(pod_env(ctx_factory(SPEC)), monkeypatch)
    assert (config.dht.k, config.dht.alpha, config.dht.beta) == (5, 2, 2)
    assert config.dht.request_timeout == 0.75
    assert (config.swim.gossip_nodes, config.swim.probe_interval) == (5, 0.3)
    assert config.swim.probe_timeout == 0.15
    assert config.swim.suspicion_mult == 6
    assert (config.swarm.piece_size, config.swarm.upload_rate) == (64 * 1024, float(2**20))
    assert config.swarm.regular_slots == 3


def test_kubernetes_and_local_peers_get_the_same_config(
    ctx_factory: Callable[..., RenderContext], monkeypatch: pytest.MonkeyPatch
) -> None:
    ctx = ctx_factory(SPEC)
    on_kubernetes = peer_cli_config(pod_env(ctx), monkeypatch)
    local = peer_config_from_json(peer_config_json(ctx.network.spec))
    assert on_kubernetes == local


def test_flags_win_over_the_json_and_bad_json_names_its_source(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("P2PNET_PEER_CONFIG", '{"dht": {"k": 8, "alpha": 2}}')
    config = cli._config(cli.resolve(cli.parser().parse_args(["--alpha", "4"])))
    assert (config.dht.k, config.dht.alpha) == (8, 4)
    monkeypatch.setenv("P2PNET_PEER_CONFIG", '{"dht": {"kk": 8}}')
    with pytest.raises(SystemExit, match=r"P2PNET_PEER_CONFIG: dht: unknown knobs \['kk'\]"):
        cli._config(cli.resolve(cli.parser().parse_args([])))


@pytest.mark.parametrize(
    ("sections", "message"),
    [
        ({"dns": {}}, "unknown protocol config 'dns'"),
        ({"dht": {"preset": "wan"}}, "dht.preset: must be one of"),
        ({"dht": {"k": 4, "beta": 5}}, "dht: beta must be between 1 and k"),
        ({"swim": {"probe_intervall": 1}}, r"swim: unknown knobs \['probe_intervall'\]"),
    ],
)
def test_bad_sections_name_the_protocol_and_knob(sections: Any, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        peer_config(sections)


def test_sections_start_from_the_base_preset() -> None:
    lan = peer_config({"dht": {"k": 8}}, base="lan")
    assert lan.dht.k == 8 and lan.dht.request_timeout == 5.0 and lan.swim == type(lan.swim).lan()
    with pytest.raises(ValueError, match="not JSON"):
        peer_config_from_json("{dht")
