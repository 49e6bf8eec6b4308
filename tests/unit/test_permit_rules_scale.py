"""Business scale per PP 7/2021 Pasal 35: inclusive upper bounds."""

from __future__ import annotations

import pytest

from permit_rules import Scale, business_scale

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
def test_sales_boundaries_for_businesses_before_2021(sales: int, expected: Scale) -> None:
    assert business_scale(annual_sales=sales, existed_before_2021=True) is expected


def test_new_business_uses_capital_not_sales() -> None:
    assert business_scale(capital=1, annual_sales=10**12) is Scale.MIKRO


def test_existing_business_uses_sales_not_capital() -> None:
    assert business_scale(capital=10**12, annual_sales=1, existed_before_2021=True) is Scale.MIKRO


@pytest.mark.parametrize(
    "kwargs",
    [{}, {"annual_sales": 5}, {"capital": 5, "existed_before_2021": True}, {"capital": -1}],
)
def test_missing_or_negative_figure_raises(kwargs: dict[str, object]) -> None:
    with pytest.raises(ValueError):
        business_scale(**kwargs)  # type: ignore[arg-type]


def test_display_names() -> None:
    assert Scale.MIKRO.display == "Usaha Mikro"
