"""bot/core/passwords.py."""

from bot.core.passwords import hash_password, verify_password


def test_hash_round_trip_and_salting():
    first, second = hash_password("123456"), hash_password("123456")
    assert first != second  # a fresh salt each time
    assert first.startswith("scrypt$16384$8$1$")
    assert "123456" not in first
    assert (verify_password("123456", first), verify_password("123456", second)) == (True, True)
    assert verify_password("654321", first) is False


def test_malformed_hash_never_verifies():
    assert (verify_password("123456", ""), verify_password("123456", "md5$x$y$z$a$b")) == (False, False)
