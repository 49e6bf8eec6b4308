"""What the README tells a newcomer to type works as written (issue 16, first contact)."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest

from bot.settings import load_settings
from dialogs.office_hours import OfficeHours
from tests.helpers import REPO

README = (REPO / "README.md").read_text(encoding="utf-8")
CODE_BLOCKS = re.findall(r"```[a-z]*\n(.*?)```", README, flags=re.DOTALL)


def test_files_named_in_readme_and_config_exist() -> None:
    for source in (README, (REPO / "config.yaml").read_text(encoding="utf-8")):
        for path in re.findall(
            r"\b(?:docs|bot|dialogs|permit_rules|storage|console)/[\w/.-]+\.md\b", source
        ):
            assert (REPO / path).is_file(), f"{path} is named but does not exist"


def test_commands_are_runnable_as_written() -> None:
    # `make run` leaves `siketan` in .venv/bin, which is not on the PATH of a fresh shell.
    bare = [
        line for block in CODE_BLOCKS for line in block.splitlines()
        if re.match(r"\s*siketan\s", line)
    ]  # fmt: skip
    assert bare == []
    assert 'export PATH="$PWD/.venv/bin:$PATH"' in README


def _trial_environment() -> dict[str, str]:
    section = README.split("**Trying the officer handoff outside office hours**", 1)[1]
    block = re.search(r"```sh\n(.*?)```", section, flags=re.DOTALL)
    assert block is not None
    return dict(re.findall(r"(SIKETAN__[A-Z_]+)=(\S*)", block.group(1)))


def test_the_office_hours_trial_keys_open_the_office_at_any_time(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    env = _trial_environment()
    assert env, "no SIKETAN__ variables in the trial snippet"
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    office = load_settings(None).office
    hours = OfficeHours.from_config(
        office.timezone, office.hours, office.holidays_country, office.extra_closed_dates
    )
    # Every hour of two weeks, Sundays included, and Independence Day (a national holiday).
    start = datetime(2026, 8, 10, tzinfo=UTC)
    for step in range(14 * 24):
        moment = start + timedelta(hours=step, minutes=7)
        assert hours.is_open(moment), moment
