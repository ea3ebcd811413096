"""Numbers too large for their field ("1e30" yuan, a score of 1e30) are refused with the
field's error, never a server error: the bound is checked before the decimal is rounded."""

from __future__ import annotations

import pytest

from socialorgs.errors import SocialOrgError
from socialorgs.services.common import fen_of_yuan
from socialorgs.services.evaluation import _score


@pytest.mark.parametrize("value", ["1e30", "1E+40", "99999999999999999999999999999"])
def test_a_huge_amount_is_too_large_not_a_crash(value):
    with pytest.raises(SocialOrgError) as refused:
        fen_of_yuan(value, "income", max_yuan=1_000_000)
    assert (refused.value.code, refused.value.field) == ("too_large", "income")


def test_an_amount_within_bounds_still_counts_in_fen():
    assert fen_of_yuan("1,234.50", "income", max_yuan=1_000_000) == 123450


@pytest.mark.parametrize("value", ["1e30", "-1e30"])
def test_a_huge_score_is_out_of_range_not_a_crash(value):
    with pytest.raises(SocialOrgError) as refused:
        _score(value, "governance", 400)
    assert (refused.value.code, refused.value.field) == ("out_of_range", "governance")
