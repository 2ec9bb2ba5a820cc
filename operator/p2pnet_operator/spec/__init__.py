"""The P2PNetwork spec model: one source of truth for the CLI, the operator and the CRD.

network = load_spec_file("examples/quickstart.yaml")   # or load_spec(text, source)
network = from_dict(custom_resource_body)              # what the operator gets
network.spec.peers, network.spec.duration_s, network.to_dict()
crd_manifest()                                          # the CustomResourceDefinition
"""

from p2pnet_operator.spec.crd import crd_manifest, crd_yaml
from p2pnet_operator.spec.environment import ChurnSpec, NatSpec, TimeDistributionSpec
from p2pnet_operator.spec.errors import Mark, Problem, SpecError
from p2pnet_operator.spec.loader import from_dict, load_spec, load_spec_file
from p2pnet_operator.spec.model import NetworkSpec, P2PNetworkSpec
from p2pnet_operator.spec.protocols import DhtSpec, GossipSpec, TransferSpec
from p2pnet_operator.spec.schema import crd_schema
from p2pnet_operator.spec.tree import MAX_SPEC_BYTES
from p2pnet_operator.spec.workload import FileSpec, WorkloadSpec

__all__ = [
    "MAX_SPEC_BYTES",
    "ChurnSpec",
    "DhtSpec",
    "FileSpec",
    "GossipSpec",
    "Mark",
    "NatSpec",
    "NetworkSpec",
    "P2PNetworkSpec",
    "Problem",
    "SpecError",
    "TimeDistributionSpec",
    "TransferSpec",
    "WorkloadSpec",
    "crd_manifest",
    "crd_schema",
    "crd_yaml",
    "from_dict",
    "load_spec",
    "load_spec_file",
]
