"""Salted scrypt hashes for 6-digit service passwords (pure; CPU-bound, call from a thread)."""

import hashlib
import hmac
import secrets

_N, _R, _P = 2**14, 8, 1


def hash_password(password: str, *, salt: bytes = b"") -> str:
    """Return `scrypt$n$r$p$salt$hash`, with a fresh random salt unless one is given."""
    salt = salt or secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, n=_N, r=_R, p=_P, dklen=32)
    return f"scrypt${_N}${_R}${_P}${salt.hex()}${digest.hex()}"


def verify_password(password: str, stored: str) -> bool:
    """Constant-time check of `password` against a value made by `hash_password`."""
    try:
        scheme, n, r, p, salt_hex, digest_hex = stored.split("$")
    except ValueError:
        return False
    if scheme != "scrypt":
        return False
    digest = hashlib.scrypt(password.encode(), salt=bytes.fromhex(salt_hex), n=int(n), r=int(r), p=int(p), dklen=32)
    return hmac.compare_digest(digest.hex(), digest_hex)


def unmatchable_hash() -> str:
    """A well-formed hash with the same cost as a real one that no password matches (a random digest,
    not the scrypt of anything). Checking a password against it takes as long as a real check, so an
    unknown number answers exactly as slowly as a wrong password."""
    return f"scrypt${_N}${_R}${_P}${secrets.token_hex(16)}${secrets.token_hex(32)}"
