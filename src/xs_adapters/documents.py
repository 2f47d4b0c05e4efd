"""Document stores (R2.7): the filesystem (content addressed by SHA-256) and memory.

The filesystem store streams the content in chunks into a temporary file in its own directory,
hashing and counting as it goes; past the size limit it stops, removes the temporary file and
refuses (``documents.too_large``). A complete file is flushed to disk and renamed atomically to
``<root>/<sha[0:2]>/<sha[2:4]>/<sha>``; content that is there already is not written again. A
reader never sees a partial file.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path

from xs_core.errors import InvalidInput, NotFound
from xs_core.messaging.model import CHUNK, StoredContent

_SHA256 = re.compile("[0-9a-f]{64}")


def _missing(sha256: str) -> NotFound:
    return NotFound("documents.content_missing", {"sha256": sha256[:64]})


class FilesystemDocumentStore:
    def __init__(self, root: str | os.PathLike[str]) -> None:
        self.root = Path(root)

    def path_of(self, sha256: str) -> Path:
        if not _SHA256.fullmatch(sha256):
            raise _missing(sha256)
        return self.root / sha256[:2] / sha256[2:4] / sha256

    def put(self, chunks: Iterable[bytes], max_size: int) -> StoredContent:
        incoming = self.root / "incoming"
        incoming.mkdir(parents=True, exist_ok=True)
        digest, size = hashlib.sha256(), 0
        handle, name = tempfile.mkstemp(dir=incoming)
        temporary = Path(name)
        try:
            with os.fdopen(handle, "wb") as out:
                for chunk in chunks:
                    size += len(chunk)
                    if size > max_size:
                        raise InvalidInput("documents.too_large", {"maximum": max_size})
                    digest.update(chunk)
                    out.write(chunk)
                out.flush()
                os.fsync(out.fileno())
            if size == 0:
                raise InvalidInput("documents.empty", {})
            sha256 = digest.hexdigest()
            target = self.path_of(sha256)
            if target.exists():
                temporary.unlink()
            else:
                target.parent.mkdir(parents=True, exist_ok=True)
                os.replace(temporary, target)
            return StoredContent(sha256=sha256, size=size)
        except BaseException:
            temporary.unlink(missing_ok=True)
            raise

    def read(self, sha256: str) -> Iterator[bytes]:
        path = self.path_of(sha256)
        try:
            handle = path.open("rb")
        except FileNotFoundError:
            raise _missing(sha256) from None

        def chunks() -> Iterator[bytes]:
            with handle:
                while chunk := handle.read(CHUNK):
                    yield chunk

        return chunks()

    def exists(self, sha256: str) -> bool:
        try:
            return self.path_of(sha256).is_file()
        except NotFound:
            return False


class MemoryDocumentStore:
    """Content in a dictionary; the same contract as the filesystem store."""

    def __init__(self) -> None:
        self._content: dict[str, bytes] = {}

    def put(self, chunks: Iterable[bytes], max_size: int) -> StoredContent:
        parts: list[bytes] = []
        size = 0
        for chunk in chunks:
            size += len(chunk)
            if size > max_size:
                raise InvalidInput("documents.too_large", {"maximum": max_size})
            parts.append(chunk)
        if size == 0:
            raise InvalidInput("documents.empty", {})
        data = b"".join(parts)
        sha256 = hashlib.sha256(data).hexdigest()
        self._content.setdefault(sha256, data)
        return StoredContent(sha256=sha256, size=size)

    def read(self, sha256: str) -> Iterator[bytes]:
        data = self._content.get(sha256)
        if data is None:
            raise _missing(sha256)
        return iter([data[i : i + CHUNK] for i in range(0, len(data), CHUNK)])

    def exists(self, sha256: str) -> bool:
        return sha256 in self._content
