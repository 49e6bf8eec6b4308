"""The rule schema: a whole rule set as pydantic models, read from YAML.

A rule set holds a catalog of permits, the basic requirements, named groups of supporting permits
and the activities (KBLI code or code prefix) with their everyday words and risk rules. Every rule
names its legal basis and whether an admin has checked it against the source.
"""

from __future__ import annotations

import re
from datetime import date
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator


class Scale(StrEnum):
    """Business scale per PP 7/2021 Pasal 35."""

    MIKRO = "mikro"
    KECIL = "kecil"
    MENENGAH = "menengah"
    BESAR = "besar"

    @property
    def display(self) -> str:
        return _SCALE_DISPLAY[self]


_SCALE_DISPLAY = {
    Scale.MIKRO: "Usaha Mikro",
    Scale.KECIL: "Usaha Kecil",
    Scale.MENENGAH: "Usaha Menengah",
    Scale.BESAR: "Usaha Besar",
}


class RiskLevel(StrEnum):
    RENDAH = "rendah"
    MENENGAH_RENDAH = "menengah_rendah"
    MENENGAH_TINGGI = "menengah_tinggi"
    TINGGI = "tinggi"

    @property
    def display(self) -> str:
        return _RISK_DISPLAY[self]

    @property
    def outcome(self) -> str:
        return _RISK_OUTCOME[self]

    @property
    def outcome_permits(self) -> tuple[str, ...]:
        return _RISK_PERMITS[self]


_RISK_DISPLAY = {
    RiskLevel.RENDAH: "Rendah",
    RiskLevel.MENENGAH_RENDAH: "Menengah Rendah",
    RiskLevel.MENENGAH_TINGGI: "Menengah Tinggi",
    RiskLevel.TINGGI: "Tinggi",
}
_RISK_OUTCOME = {
    RiskLevel.RENDAH: "NIB",
    RiskLevel.MENENGAH_RENDAH: "NIB + Sertifikat Standar (pernyataan mandiri)",
    RiskLevel.MENENGAH_TINGGI: "NIB + Sertifikat Standar terverifikasi",
    RiskLevel.TINGGI: "NIB + Izin",
}
# Permit catalog codes that each risk level's outcome consists of (besides NIB, always required).
_RISK_PERMITS: dict[RiskLevel, tuple[str, ...]] = {
    RiskLevel.RENDAH: (),
    RiskLevel.MENENGAH_RENDAH: ("SS_MANDIRI",),
    RiskLevel.MENENGAH_TINGGI: ("SS_TERVERIFIKASI",),
    RiskLevel.TINGGI: ("IZIN",),
}
OUTCOME_PERMIT_CODES = ("NIB", "SS_MANDIRI", "SS_TERVERIFIKASI", "IZIN")

Where = Literal["OSS", "SIHALAL", "SIMBG", "MPP counter"]
PermitKind = Literal["perizinan_berusaha", "pb_umku", "persyaratan_dasar"]

_CODE_RE = re.compile(r"^[A-Z][A-Z0-9_]*$")
_ID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
_KEY_RE = re.compile(r"^[a-z][a-z0-9_]*$")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


SourceStatus = Literal["verified", "secondary"]


class LegalBasis(_Strict):
    """Where a statement comes from. `status` says how it was read: `verified` = in the text of
    the regulation itself, `secondary` = only in a secondary source (press, a consultant's or
    another office's page), which the answer must say in plain words. None = not stated (old
    rule sets): treated as not verified."""

    regulation: str = Field(min_length=1)
    article: str | None = None
    source: str = Field(min_length=1)
    status: SourceStatus | None = None
    # What this basis supports when a permit cites several (e.g. "biaya", "standar kesehatan").
    about: str | None = None

    def cite(self) -> str:
        """The citation as a citizen reads it; a secondary source says so."""
        text = f"{self.regulation}, {self.article}" if self.article else self.regulation
        return f"{text} (sumber sekunder)" if self.status == "secondary" else text

    @property
    def secondary(self) -> bool:
        return self.status == "secondary"


class Verification(_Strict):
    verified_by: str | None = None
    verified_on: date | None = None

    @model_validator(mode="after")
    def _both_or_neither(self) -> Verification:
        if (self.verified_by is None) != (self.verified_on is None):
            raise ValueError("verified_by and verified_on must be given together (or both null)")
        return self

    @property
    def verified(self) -> bool:
        return self.verified_by is not None and self.verified_on is not None


class Permit(Verification):
    name: str = Field(min_length=1)
    kind: PermitKind
    issuer: str = Field(min_length=1)
    documents: tuple[str, ...] = ()
    due_working_days: Annotated[int, Field(ge=0, le=365)] | None = None
    fee: str | None = None
    where: Where
    note: str | None = None
    legal_basis: LegalBasis
    # Sources of other statements about the permit (its fee, its standard...), each with status.
    more_bases: tuple[LegalBasis, ...] = ()

    def bases(self) -> tuple[LegalBasis, ...]:
        return (self.legal_basis, *self.more_bases)


class NumberRange(_Strict):
    min: float | None = None
    max: float | None = None

    @model_validator(mode="after")
    def _ordered(self) -> NumberRange:
        if self.min is None and self.max is None:
            raise ValueError("give min, max or both")
        if self.min is not None and self.max is not None and self.min > self.max:
            raise ValueError("min is greater than max")
        return self

    def contains(self, value: float) -> bool:
        if self.min is not None and value < self.min:
            return False
        return not (self.max is not None and value > self.max)


class When(_Strict):
    """Conditions of a rule; every stated condition must hold (ranges are inclusive)."""

    scale: tuple[Scale, ...] | None = None
    land_area_m2: NumberRange | None = None
    workers: NumberRange | None = None
    capital: NumberRange | None = None
    # profile.conditions[key] must be one of the listed values (e.g. product: [packaged_food])
    conditions: dict[str, tuple[str, ...]] = Field(default_factory=dict)
    # profile.conditions[key] read as a number must be in range (e.g. seats: {max: 50})
    numeric: dict[str, NumberRange] = Field(default_factory=dict)
    # The risk level decided for the activity must be one of these (basic requirements that
    # follow from the risk level, e.g. KKPR self-declaration only for mikro + Rendah). Unknown
    # while the risk level waits for an officer: the rule is then listed as conditional.
    risk: tuple[RiskLevel, ...] | None = None

    @field_validator("scale", "risk")
    @classmethod
    def _list_not_empty(cls, v: tuple[object, ...] | None) -> tuple[object, ...] | None:
        if v is not None and not v:
            raise ValueError("an empty list never matches; leave it out instead")
        return v

    @field_validator("conditions", "numeric")
    @classmethod
    def _keys(cls, v: dict[str, object]) -> dict[str, object]:
        for key in v:
            if not _KEY_RE.match(key):
                raise ValueError(f"condition name {key!r} must be lower_snake_case")
        return v

    def fields_used(self) -> list[str]:
        out: list[str] = []
        if self.scale is not None or self.capital is not None:
            out.append("capital")
        if self.land_area_m2 is not None:
            out.append("land_area_m2")
        if self.workers is not None:
            out.append("workers")
        out.extend(f"conditions.{k}" for k in self.conditions)
        out.extend(f"conditions.{k}" for k in self.numeric)
        return out


class PermitRule(Verification):
    """A supporting permit or basic requirement that applies when its conditions hold."""

    id: str = Field(pattern=_ID_RE.pattern)
    permit: str = Field(pattern=_CODE_RE.pattern)
    when: When = Field(default_factory=When)
    reason: str | None = None
    legal_basis: LegalBasis


class RiskRule(Verification):
    id: str = Field(pattern=_ID_RE.pattern)
    when: When = Field(default_factory=When)
    risk_level: RiskLevel
    note: str | None = None
    extra_permits: tuple[str, ...] = ()
    legal_basis: LegalBasis


class RiskHint(Verification):
    """A risk level known only from a revoked regulation (PP 5/2021) or another version of the
    activity: shown to the officer as a hint, never given to the citizen as the answer
    (PP 28/2025 Pasal 547: PP 5/2021 governs only applications already in process)."""

    id: str = Field(pattern=_ID_RE.pattern)
    when: When = Field(default_factory=When)
    risk_level: RiskLevel
    kbli_2020: str | None = Field(default=None, pattern=r"^\d{5}$")
    note: str | None = None
    legal_basis: LegalBasis


class Activity(_Strict):
    kbli: str | None = Field(default=None, pattern=r"^\d{5}$")
    kbli_prefix: str | None = Field(default=None, pattern=r"^\d{1,4}$")
    title: str = Field(min_length=1)
    # The KBLI 2020 codes this activity was converted from (BPS conversion table), for officers.
    kbli_2020: tuple[Annotated[str, Field(pattern=r"^\d{5}$")], ...] = ()
    everyday_words: tuple[str, ...] = ()
    support: tuple[str, ...] = ()
    supporting_permits: tuple[PermitRule, ...] = ()
    risk_rules: tuple[RiskRule, ...] = ()
    risk_hints: tuple[RiskHint, ...] = ()
    # The "jasa intermediasi" code for the platform share of this activity (e.g. 56400): only
    # explained to a citizen who sells through a platform, never offered as the business.
    platform_kbli: str | None = Field(default=None, pattern=r"^\d{5}$")
    note: str | None = None

    @model_validator(mode="after")
    def _one_key(self) -> Activity:
        if (self.kbli is None) == (self.kbli_prefix is None):
            raise ValueError("give exactly one of kbli (5 digits) or kbli_prefix (1-4 digits)")
        return self

    @property
    def key(self) -> str:
        return self.kbli if self.kbli is not None else f"{self.kbli_prefix}*"

    def matches(self, code: str) -> bool:
        if self.kbli is not None:
            return code == self.kbli
        return self.kbli_prefix is not None and code.startswith(self.kbli_prefix)


class Meta(_Strict):
    name: str = Field(min_length=1)
    kbli_version: str = Field(min_length=1)
    regulation: str = Field(min_length=1)
    note: str | None = None
