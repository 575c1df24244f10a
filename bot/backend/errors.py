"""Domain errors of the operator backend; each maps to one HTTP status and a machine-readable code."""

from typing import Any, Dict, Optional


class BackendError(Exception):
    """Base class: `status` is the HTTP status, `code` a stable identifier for clients."""

    status = 400
    code = "bad_request"

    def __init__(self, message: str, *, details: Optional[Dict[str, Any]] = None) -> None:
        super().__init__(message)
        self.message = message
        self.details = details or {}

    def as_json(self) -> Dict[str, Any]:
        return {"error": self.code, "message": self.message, **self.details}


class InvalidInput(BackendError):
    status = 400
    code = "invalid_input"


class NotFound(BackendError):
    status = 404
    code = "not_found"


class UnknownNumber(NotFound):
    code = "unknown_number"


class UnknownPackage(NotFound):
    code = "unknown_package"


class WrongPassword(BackendError):
    status = 403
    code = "wrong_password"


class VerificationLocked(BackendError):
    status = 423
    code = "verification_locked"


class Conflict(BackendError):
    status = 409
    code = "conflict"


class IdempotencyConflict(Conflict):
    code = "idempotency_key_reused"
