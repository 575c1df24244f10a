"""The operator backend's own errors, on the shared ones of bot/core/errors.py."""

from bot.core.errors import ApiError, Conflict, NotFound


class UnknownNumber(NotFound):
    code = "unknown_number"


class UnknownPackage(NotFound):
    code = "unknown_package"


class WrongPassword(ApiError):
    status = 403
    code = "wrong_password"


class VerificationLocked(ApiError):
    status = 423
    code = "verification_locked"


class IdempotencyConflict(Conflict):
    code = "idempotency_key_reused"
