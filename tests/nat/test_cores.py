"""The sans-I/O NAT decision cores: addresses, AutoNAT verdicts, mapping classification,
path bookkeeping, connection counting, relay reservations and limits."""

from __future__ import annotations

from p2pnet_peer.nat import relay_book
from p2pnet_peer.nat.addresses import circuit_address, is_circuit, parse_circuit
from p2pnet_peer.nat.config import NatConfig
from p2pnet_peer.nat.paths import ConnectionLog, PathBook, punch_refusal
from p2pnet_peer.nat.reachability import (
    DEPENDENT,
    INDEPENDENT,
    MAPPING_UNKNOWN,
    Reachability,
    classify_mapping,
)
from p2pnet_peer.wire import check_address

PEER = bytes(range(32))


def test_circuit_addresses_round_trip_and_pass_the_wire_checks() -> None:
    address = circuit_address("198.18.0.2:4000", PEER)
    assert parse_circuit(address) == ("198.18.0.2:4000", PEER)
    assert check_address(address, "address") == address
    assert len(address.split(".")[0]) > 63, "never a valid DNS label"
    assert parse_circuit("198.18.0.2:4000") is None
    assert parse_circuit("zz" * 32 + ".p2p-circuit.1.2.3.4:5") is None
    assert not is_circuit("abc.p2p-circuit.1.2.3.4:5")


def test_autonat_verdict_needs_agreeing_answers() -> None:
    reach = Reachability(confidence=2)
    assert reach.status == "unknown" and reach.observed_host is None
    reach.record(b"a", False, "198.19.0.1:4000")
    assert reach.status == "unknown"
    reach.record(b"b", False, "198.19.0.1:5000")
    assert reach.status == "private" and reach.observed_host == "198.19.0.1"
    reach.record(b"c", True, "198.19.0.1:5000")
    assert reach.status == "private"
    reach.record(b"a", True, None)  # a server's newer answer replaces its older one
    assert reach.status == "public"
    reach.record(b"d", False, None)
    assert reach.status == "unknown", "two against two"


def test_mapping_classification() -> None:
    assert classify_mapping(["1.2.3.4:40", "1.2.3.4:40"]) == INDEPENDENT
    assert classify_mapping(["1.2.3.4:40", "1.2.3.4:41"]) == DEPENDENT
    assert classify_mapping(["1.2.3.4:40"]) == MAPPING_UNKNOWN
    assert classify_mapping([]) == MAPPING_UNKNOWN


def test_punch_refusals() -> None:
    assert punch_refusal(DEPENDENT, DEPENDENT, "1.1.1.1", "2.2.2.2") is not None
    assert punch_refusal(DEPENDENT, INDEPENDENT, "1.1.1.1", "2.2.2.2") is None
    assert punch_refusal(DEPENDENT, MAPPING_UNKNOWN, "1.1.1.1", "2.2.2.2") is None
    assert "same NAT" in (punch_refusal(INDEPENDENT, INDEPENDENT, "1.1.1.1", "1.1.1.1") or "")


def test_path_book_backs_off_and_gives_up() -> None:
    book = PathBook(NatConfig(holepunch_after_calls=2, holepunch_backoff=10, holepunch_attempts=2))
    assert not book.relayed(PEER, 0.0)  # first relayed call: not yet
    assert book.relayed(PEER, 0.0)  # second: punch
    assert not book.relayed(PEER, 0.0)  # one at a time
    book.punched(PEER, False, 1.0)
    assert not book.relayed(PEER, 5.0)  # backing off
    assert book.relayed(PEER, 11.0)
    book.punched(PEER, False, 12.0)
    assert not book.relayed(PEER, 100.0), "gave up after two failures"
    other = b"\x01" * 32
    book.relayed(other, 0.0)
    assert book.relayed(other, 0.0)
    book.punched(other, True, 1.0)
    assert not book.relayed(other, 2.0), "direct already"
    book.lost(other, 3.0)
    assert not book.relayed(other, 4.0) and book.relayed(other, 14.0)
    book.refused(other)
    assert not book.relayed(other, 1000.0)


def test_connections_count_on_changes_only() -> None:
    log = ConnectionLog(size=2)
    assert log.counts("direct", "a", True)
    assert not log.counts("direct", "a", True)
    assert log.counts("direct", "a", False)
    assert not log.counts("direct", "a", False)
    assert log.counts("direct", "a", True)
    assert log.counts("relay", "a", True)  # per path
    log.counts("direct", "b", True)
    assert log.counts("direct", "a", True), "bounded: the oldest is forgotten"


def test_relay_book_limits_and_generations() -> None:
    book = relay_book.RelayBook(max_reservations=1, max_circuits=1, ttl=60)
    status, ttl, gen1 = book.reserve(b"a", 3600, now=0.0)
    assert (status, ttl) == (relay_book.OK, 60)
    assert book.reserve(b"b", 10, now=1.0)[0] == relay_book.RESOURCE_LIMIT
    _, _, gen2 = book.reserve(b"a", 10, now=2.0)  # renewing replaces
    book.release(b"a", gen1)
    assert book.holds(b"a", 3.0), "an old stream's cleanup keeps the new reservation"
    assert book.open_circuit(b"a", 3.0) == relay_book.OK
    assert book.open_circuit(b"a", 3.0) == relay_book.RESOURCE_LIMIT
    book.close_circuit(b"a")
    assert book.open_circuit(b"x", 3.0) == relay_book.NO_RESERVATION
    assert book.open_circuit(b"a", 13.0) == relay_book.NO_RESERVATION, "expired"
    book.release(b"a", gen2)
    assert len(book) == 0 or not book.holds(b"a", 13.0)
