"""Business scale per PP 7/2021 Pasal 35.

New businesses are classed by capital (modal usaha, excluding the land and buildings of the place
of business); businesses that existed before PP 7/2021 by annual sales (hasil penjualan tahunan).
Upper bounds are inclusive ("sampai dengan paling banyak"); the next tier starts at "lebih dari".
"""

from __future__ import annotations

from permit_rules.model import Scale

# (upper bound inclusive, scale); above the last bound is Usaha Besar.
CAPITAL_TIERS: tuple[tuple[int, Scale], ...] = (
    (1_000_000_000, Scale.MIKRO),
    (5_000_000_000, Scale.KECIL),
    (10_000_000_000, Scale.MENENGAH),
)
SALES_TIERS: tuple[tuple[int, Scale], ...] = (
    (2_000_000_000, Scale.MIKRO),
    (15_000_000_000, Scale.KECIL),
    (50_000_000_000, Scale.MENENGAH),
)
SCALE_LEGAL_BASIS = "PP 7/2021 Pasal 35"


def _tier(amount: int, tiers: tuple[tuple[int, Scale], ...]) -> Scale:
    for upper, scale in tiers:
        if amount <= upper:
            return scale
    return Scale.BESAR


def business_scale(
    capital: int | None = None,
    annual_sales: int | None = None,
    existed_before_2021: bool = False,
) -> Scale:
    """The scale of a business; ValueError when the figure the regulation uses is missing."""
    if existed_before_2021:
        if annual_sales is None:
            raise ValueError("a business existing before 2021 is classed by annual sales")
        if annual_sales < 0:
            raise ValueError("annual sales cannot be negative")
        return _tier(annual_sales, SALES_TIERS)
    if capital is None:
        raise ValueError("a new business is classed by its capital (excluding land and buildings)")
    if capital < 0:
        raise ValueError("capital cannot be negative")
    return _tier(capital, CAPITAL_TIERS)


def scale_input_name(existed_before_2021: bool) -> str:
    """The profile field the scale depends on."""
    return "annual_sales" if existed_before_2021 else "capital"
