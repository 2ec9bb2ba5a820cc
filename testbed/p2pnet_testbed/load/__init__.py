"""Load tests: Locust gRPC users against a network's peers (:mod:`.locustfile`), and
``p2pnet load`` (:mod:`.runner`), which runs Locust headless in its own process so gevent's
monkey-patching never touches the asyncio testbed."""

from pathlib import Path


def locustfile_path() -> Path:
    """The locustfile Locust loads (``loadtests/locustfile.py`` re-exports the same users)."""
    return Path(__file__).with_name("locustfile.py")
