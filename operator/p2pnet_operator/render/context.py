"""What every renderer needs: the validated network, its plan, where it lives, who owns
the children, and the operator's settings. Built once per reconcile."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from p2pnet_operator.planner import Plan
from p2pnet_operator.settings import OperatorSettings
from p2pnet_operator.spec import NetworkSpec


@dataclass(frozen=True)
class RenderContext:
    network: NetworkSpec
    plan: Plan
    namespace: str
    owner: dict[str, Any]  # the P2PNetwork body (at least metadata.name and metadata.uid)
    settings: OperatorSettings

    @property
    def name(self) -> str:
        return self.network.name
