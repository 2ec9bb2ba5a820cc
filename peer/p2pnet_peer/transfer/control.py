"""The transfer part of the Control service: Publish, Fetch, and progress for Status.

A peer whose disk has no room for the content (ENOSPC, or EDQUOT: over quota) answers
Publish or Fetch with RESOURCE_EXHAUSTED. A fetch finds that out when its content file
is allocated, before any piece is asked for (:mod:`.disk_storage`); pieces it already
held stay on disk, so a Fetch once there is room resumes from them.
"""

from __future__ import annotations

import asyncio
import errno
from collections.abc import AsyncIterator
from pathlib import Path

from p2pnet.v1 import control_pb2
from p2pnet_peer.swarm.config import MAX_PIECES
from p2pnet_peer.swarm.session import SwarmSession
from p2pnet_peer.transfer.node import TransferNode
from p2pnet_peer.wire import InvalidRequest, OutOfSpace, check_key

PROGRESS_INTERVAL = 1.0
NO_SPACE = (errno.ENOSPC, errno.EDQUOT)


def progress(session: SwarmSession) -> control_pb2.TransferProgress:
    m = session.manifest
    return control_pb2.TransferProgress(
        cid=m.cid,
        size=m.size,
        pieces_total=m.count,
        pieces_have=session.have.bit_count(),
        neighbours=len(session.neighbours),
        unchoked=len(session.unchoked),
        downloaded_bytes=session.downloaded,
        uploaded_bytes=session.uploaded,
        complete=session.complete,
    )


def all_progress(node: TransferNode) -> list[control_pb2.TransferProgress]:
    return [progress(s) for s in node.sessions.values()]


def _read_pieces(path: Path, piece_size: int) -> list[bytes]:
    if not path.is_file():
        raise InvalidRequest(f"path: {str(path)!r} is not a regular file")
    limit = MAX_PIECES * piece_size
    if path.stat().st_size > limit:
        raise InvalidRequest(f"path: larger than {limit} bytes ({MAX_PIECES} pieces)")
    try:
        with path.open("rb") as f:
            return list(iter(lambda: f.read(piece_size), b""))
    except OSError as exc:
        raise InvalidRequest(f"path: cannot read {str(path)!r}: {exc.strerror}") from None


async def publish(
    node: TransferNode, request: control_pb2.PublishRequest
) -> control_pb2.PublishResponse:
    piece_size = node.config.piece_size
    source = request.WhichOneof("source")
    if source == "path":
        pieces = _read_pieces(Path(request.path), piece_size)
    elif source == "data":
        data = request.data
        pieces = [data[i : i + piece_size] for i in range(0, len(data), piece_size)]
    else:
        raise InvalidRequest("source: path or data is required")
    if not pieces:
        raise InvalidRequest(f"{source}: content must not be empty")
    try:
        manifest, replicas = await node.publish(pieces)
    except OSError as exc:
        _raise_if_no_room(exc, sum(map(len, pieces)))
        raise
    return control_pb2.PublishResponse(
        cid=manifest.cid, size=manifest.size, pieces=manifest.count, provider_replicas=replicas
    )


async def fetch(
    node: TransferNode, request: control_pb2.FetchRequest
) -> AsyncIterator[control_pb2.FetchResponse]:
    cid = check_key(request.cid, "cid")
    output = None
    if request.output_path:
        output = Path(request.output_path)
        if not output.is_absolute() or not output.parent.is_dir() or output.is_dir():
            raise InvalidRequest("output_path: must be an absolute file path in an existing dir")
    if cid in node.downloads:
        raise InvalidRequest("cid: already being fetched by this peer")
    task = asyncio.create_task(node.fetch(cid, output))
    try:
        while not task.done():
            await asyncio.wait([task], timeout=PROGRESS_INTERVAL)
            session = node.sessions.get(cid)
            if session is not None and not task.done():
                yield control_pb2.FetchResponse(progress=progress(session))
        try:
            result = task.result()
        except Exception as exc:
            manifest = node.storage.manifest(cid)
            _raise_if_no_room(exc, manifest.size if manifest else None)
            raise
        yield control_pb2.FetchResponse(
            progress=progress(node.sessions[cid]),
            done=True,
            path=result.path,
            duration_seconds=result.duration,
            resumed_pieces=result.resumed,
        )
    finally:
        if not task.done():
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)


def _raise_if_no_room(exc: BaseException, size: int | None) -> None:
    """Raise OutOfSpace if ``exc`` is, or holds (a TaskGroup's exception group), a disk
    with no room left."""
    found = _no_space(exc)
    if found is not None:
        what = f"{size} bytes of content" if size is not None else "the content"
        raise OutOfSpace(f"no room for {what} in this peer's data dir: {found.strerror}") from exc


def _no_space(exc: BaseException) -> OSError | None:
    if isinstance(exc, OSError) and exc.errno in NO_SPACE:
        return exc
    inner = exc.exceptions if isinstance(exc, BaseExceptionGroup) else ()
    return next((e for e in map(_no_space, inner) if e is not None), None)
