"""actions/formatting.py."""

import pytest

from actions.formatting import data_size, mask_phone, yuan


@pytest.mark.parametrize("fen, text", [(5830, "58.30"), (-1250, "-12.50"), (5, "0.05"), (0, "0.00"), (10000, "100.00")])
def test_yuan(fen, text):
    assert yuan(fen) == text


@pytest.mark.parametrize(
    "mb, text", [(12800, "12.5GB"), (40960, "40GB"), (800, "800MB"), (1024, "1GB"), (1126, "1.1GB")]
)
def test_data_size(mb, text):
    assert data_size(mb) == text


def test_mask_phone():
    assert (mask_phone("13800138000"), mask_phone("123")) == ("138****8000", "123")
