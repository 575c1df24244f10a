"""The customer's network address, for the verification limits per client (pure).

Every customer channel puts it into the UserMessage metadata as `client_address`. The direct peer
is the address, unless it is our own nginx on this machine (127.0.0.1 / ::1, production profile):
nginx sets `X-Forwarded-For $proxy_add_x_forwarded_for`, which appends the address nginx saw to
whatever the client sent, so only its last entry is trusted. `X-Real-IP` is not read: our nginx does
not set it, so it would pass on whatever the client wrote. From any other peer the forwarding
headers are the client's own words and are ignored.
"""

import ipaddress
from typing import Any, Dict, Mapping, Optional

METADATA_KEY = "client_address"
TRUSTED_PROXIES = frozenset({"127.0.0.1", "::1", "::ffff:127.0.0.1"})


def _address(text: Any) -> str:
    """`text` as a normalised IP address, or "" when it is not one."""
    try:
        return str(ipaddress.ip_address(str(text or "").strip()))
    except ValueError:
        return ""


def client_address(peer: Any, headers: Mapping[str, Any]) -> str:
    """The customer's address from the direct peer and the request headers ("" when unknown)."""
    direct = _address(peer)
    if direct not in TRUSTED_PROXIES:
        return direct
    lowered = {str(name).lower(): value for name, value in headers.items()}
    forwarded = str(lowered.get("x-forwarded-for") or "").split(",")
    return _address(forwarded[-1]) or direct


def with_client_address(metadata: Optional[Dict[str, Any]], address: str) -> Dict[str, Any]:
    """The message metadata with `client_address` set (the rest kept; a client cannot choose it)."""
    return {**(metadata if isinstance(metadata, dict) else {}), METADATA_KEY: address}


def environ_address(environ: Mapping[str, Any]) -> str:
    """The customer's address for a socket.io connection. python-engineio's Sanic driver writes
    REMOTE_ADDR as a constant 127.0.0.1, so the peer comes from the Sanic request it keeps."""
    request = environ.get("sanic.request")
    peer = getattr(request, "ip", None) or environ.get("REMOTE_ADDR")
    return client_address(peer, {"x-forwarded-for": environ.get("HTTP_X_FORWARDED_FOR") or ""})
