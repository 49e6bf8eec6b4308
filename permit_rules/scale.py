"""Business scale per PP 7/2021 Pasal 35.

The scale is decided by modal usaha (capital, excluding the land and buildings of the place of
business), Pasal 35 ayat (2)-(3); the OSS UMK form computes it from modal usaha even for a business
that is already running. Pasal 35 ayat (5) also gives annual-sales thresholds; the rule that a
business from before 2021 is classed by annual sales instead could not be read in any text
(law_updates_2026.yaml, status open), so sales never decide the scale here: a business that gives
only its sales is left to an officer, and a sales figure that points to another scale is mentioned
in the answer. Upper bounds are inclusive ("sampai dengan paling banyak").
"""

from __future__ import annotations

from dataclasses import dataclass

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
SCALE_LEGAL_BASIS = "PP 7/2021 Pasal 35 ayat (2) dan (3)"
SALES_LEGAL_BASIS = "PP 7/2021 Pasal 35 ayat (5)"


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
    """The scale by modal usaha; ValueError when the capital is missing or negative.

    `annual_sales` and `existed_before_2021` never change the answer (see the module docstring);
    they are accepted so callers can pass a whole profile.
    """
    del annual_sales, existed_before_2021
    if capital is None:
        raise ValueError("the scale is decided by capital (excluding land and buildings)")
    if capital < 0:
        raise ValueError("capital cannot be negative")
    return _tier(capital, CAPITAL_TIERS)


def sales_scale(annual_sales: int) -> Scale:
    """The scale the annual-sales thresholds of Pasal 35 ayat (5) point to (for explanations)."""
    if annual_sales < 0:
        raise ValueError("annual sales cannot be negative")
    return _tier(annual_sales, SALES_TIERS)


@dataclass(frozen=True, slots=True)
class ScaleFinding:
    """The scale and how it was found, for the decision's explanation."""

    scale: Scale | None
    # The annual-sales figure pointed to another scale than the capital (None: same or not given).
    sales_points_to: Scale | None = None
    # Only annual sales were given (a business from before 2021): an officer decides the scale.
    sales_only: bool = False


def find_scale(
    capital: int | None, annual_sales: int | None, existed_before_2021: bool
) -> ScaleFinding:
    if capital is None:
        return ScaleFinding(None, sales_only=annual_sales is not None and existed_before_2021)
    scale = business_scale(capital)
    other = sales_scale(annual_sales) if annual_sales is not None else None
    return ScaleFinding(scale, sales_points_to=other if other not in (None, scale) else None)


def scale_input_name(existed_before_2021: bool) -> str:
    """The profile field the scale depends on: always the capital (see the module docstring)."""
    del existed_before_2021
    return "capital"
