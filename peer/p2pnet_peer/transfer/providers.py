"""Who holds a CID (DHT provider records), and its manifest from one of them."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from p2pnet.v1 import transfer_pb2
from p2pnet_peer.kademlia.contact import Contact
from p2pnet_peer.swarm.manifest import Manifest
from p2pnet_peer.transport.base import PeerUnreachable

if TYPE_CHECKING:
    from p2pnet_peer.transfer.node import TransferNode

SERVICE = "p2pnet.v1.Transfer"


async def find_providers(node: TransferNode, cid: bytes) -> list[Contact]:
    """Up to ``max_neighbours`` providers of ``cid`` other than ``node``."""
    outcome = await node.dht.find_providers(cid, node.config.max_neighbours)
    return [c for c in outcome.providers if c.id != node.id]


async def manifest_from(node: TransferNode, contact: Contact, cid: bytes) -> Manifest | None:
    """``contact``'s manifest for ``cid``, if it has one whose hash is ``cid``."""
    request = transfer_pb2.GetManifestRequest(sender=node.wire_self, cid=cid)
    try:
        response = await node.transport.call(
            contact.address, SERVICE, "GetManifest", request, node.config.request_timeout
        )
        manifest = Manifest.from_bytes(response.manifest) if response.found else None
    except (PeerUnreachable, ValueError):
        return None
    return manifest if manifest is not None and manifest.cid == cid else None


async def find_manifest(node: TransferNode, cid: bytes) -> tuple[Manifest, list[Contact]]:
    """Ask providers in turn until one has the manifest; every ``discover_interval`` again.
    Returns it and the providers that lookup found (the download's first neighbours)."""
    while True:
        providers = await find_providers(node, cid)
        for contact in providers:
            manifest = await manifest_from(node, contact, cid)
            if manifest is not None:
                return manifest, providers
        await asyncio.sleep(node.config.discover_interval)
