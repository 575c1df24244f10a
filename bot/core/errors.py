"""Errors a service answers with: each maps to one HTTP status and a machine-readable code.

`bot.core.web.errors_middleware` turns them into their JSON 4xx. A service adds its own subclasses
(the operator backend's are in bot/services/operator/errors.py).
"""

from typing import Any, Dict, Optional


class ApiError(Exception):
    """Base class: `status` is the HTTP status, `code` a stable identifier for clients."""

    status = 400
    code = "bad_request"

    def __init__(self, message: str, *, details: Optional[Dict[str, Any]] = None) -> None:
        super().__init__(message)
        self.message = message
        self.details = details or {}

    def as_json(self) -> Dict[str, Any]:
        return {"error": self.code, "message": self.message, **self.details}


class InvalidInput(ApiError):
    status = 400
    code = "invalid_input"


class Forbidden(ApiError):
    status = 403
    code = "forbidden"


class NotFound(ApiError):
    status = 404
    code = "not_found"


class Conflict(ApiError):
    status = 409
    code = "conflict"
