"""Office facts (address, hours, what to bring) from `data/office.yaml`."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

OFFICE_FILE = Path(__file__).resolve().parent / "data" / "office.yaml"


@dataclass(frozen=True)
class OfficeInfo:
    name: str
    address: str
    website: str
    hours: dict[str, list[str]]
    bring: dict[str, list[str]]
    # Working days the office promises for handling an application (its service standard).
    application_due_working_days: int = 5


@cache
def load_office_info(path: Path = OFFICE_FILE) -> OfficeInfo:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return OfficeInfo(
        name=str(data["name"]),
        address=str(data["address"]),
        website=str(data["website"]),
        hours={str(k): [str(x) for x in v] for k, v in data["hours"].items()},
        bring={str(k): [str(x) for x in v] for k, v in data["bring"].items()},
        application_due_working_days=int(data.get("application_due_working_days", 5)),
    )
