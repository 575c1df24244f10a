"""Pure formatting of backend values for Chinese replies."""


def yuan(fen: int) -> str:
    """12345 -> '123.45' (always two decimals, sign kept)."""
    sign = "-" if fen < 0 else ""
    whole, cents = divmod(abs(fen), 100)
    return f"{sign}{whole}.{cents:02d}"


def data_size(mb: int) -> str:
    """Megabytes as customers read them: '12.5GB' from 1 GB up, else '800MB'."""
    if mb >= 1024:
        text = f"{mb / 1024:.2f}".rstrip("0").rstrip(".")
        return f"{text}GB"
    return f"{mb}MB"


def mask_phone(phone: str) -> str:
    """13800138000 -> 138****8000."""
    return phone[:3] + "****" + phone[-4:] if len(phone) == 11 else phone
