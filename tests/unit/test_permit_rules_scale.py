"""Business scale per PP 7/2021 Pasal 35: decided by modal usaha (ayat 2-3), inclusive upper
bounds; annual sales (ayat 5) only point to a scale for the explanation (issue 13 part 2)."""

from __future__ import annotations

import pytest

from permit_rules import Scale, business_scale
from permit_rules.scale import ScaleFinding, find_scale, sales_scale

CAPITAL = [
    (0, Scale.MIKRO),
    (1_000_000_000, Scale.MIKRO),
    (1_000_000_001, Scale.KECIL),
    (5_000_000_000, Scale.KECIL),
    (5_000_000_001, Scale.MENENGAH),
    (10_000_000_000, Scale.MENENGAH),
    (10_000_000_001, Scale.BESAR),
]
SALES = [
    (0, Scale.MIKRO),
    (2_000_000_000, Scale.MIKRO),
    (2_000_000_001, Scale.KECIL),
    (15_000_000_000, Scale.KECIL),
    (15_000_000_001, Scale.MENENGAH),
    (50_000_000_000, Scale.MENENGAH),
    (50_000_000_001, Scale.BESAR),
]


@pytest.mark.parametrize(("capital", "expected"), CAPITAL)
def test_capital_boundaries_are_inclusive(capital: int, expected: Scale) -> None:
    assert business_scale(capital=capital) is expected


@pytest.mark.parametrize(("sales", "expected"), SALES)
def test_sales_thresholds_point_to_a_scale(sales: int, expected: Scale) -> None:
    assert sales_scale(sales) is expected


def test_capital_decides_even_for_a_business_from_before_2021() -> None:
    assert business_scale(capital=1, annual_sales=10**12) is Scale.MIKRO
    assert business_scale(capital=10**12, annual_sales=1, existed_before_2021=True) is Scale.BESAR


def test_finding_says_when_sales_point_elsewhere_or_stand_alone() -> None:
    assert find_scale(5 * 10**7, 3 * 10**9, False) == ScaleFinding(Scale.MIKRO, Scale.KECIL)
    assert find_scale(5 * 10**7, 10**9, False) == ScaleFinding(Scale.MIKRO, None)
    assert find_scale(None, 10**9, True) == ScaleFinding(None, sales_only=True)
    assert find_scale(None, None, False) == ScaleFinding(None)


@pytest.mark.parametrize(
    "kwargs",
    [{}, {"annual_sales": 5}, {"annual_sales": 5, "existed_before_2021": True}, {"capital": -1}],
)
def test_missing_or_negative_figure_raises(kwargs: dict[str, object]) -> None:
    with pytest.raises(ValueError):
        business_scale(**kwargs)  # type: ignore[arg-type]


def test_display_names() -> None:
    assert Scale.MIKRO.display == "Usaha Mikro"
