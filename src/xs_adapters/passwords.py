"""Argon2id password hashing (``argon2-cffi``), R2.6.

The parameters are at least OWASP's minimum for Argon2id (19 MiB of memory, 2 iterations,
parallelism 1); ``benchmarks/mail.py`` measures one verification.
"""

from __future__ import annotations

from argon2 import PasswordHasher as _Argon2
from argon2 import Type
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

#: Memory in KiB (19 MiB), iterations and lanes: OWASP's minimum for Argon2id.
MEMORY_KIB = 19 * 1024
ITERATIONS = 2
PARALLELISM = 1


class Argon2Hasher:
    """Hashes with Argon2id; verifies any Argon2 hash and tells when one needs rehashing."""

    def __init__(
        self,
        memory_kib: int = MEMORY_KIB,
        iterations: int = ITERATIONS,
        parallelism: int = PARALLELISM,
    ) -> None:
        self._argon2 = _Argon2(
            time_cost=iterations,
            memory_cost=memory_kib,
            parallelism=parallelism,
            hash_len=32,
            salt_len=16,
            type=Type.ID,
        )

    def hash(self, password: str) -> str:
        return self._argon2.hash(password)

    def verify(self, password_hash: str, password: str) -> bool:
        try:
            return self._argon2.verify(password_hash, password)
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return False

    def needs_rehash(self, password_hash: str) -> bool:
        try:
            return self._argon2.check_needs_rehash(password_hash)
        except InvalidHashError:
            return True
