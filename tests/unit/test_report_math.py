"""Report arithmetic (percentiles, IKM, effectiveness, quarters, sessions, charts) and in-place
edits of rule YAML, against values worked out by hand."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
import yaml

from console.rule_yaml import parse_path, set_value
from office.report_math import (
    bar_chart_svg,
    count_sessions,
    effectiveness,
    effectiveness_category,
    ikm,
    ikm_grade,
    percentile,
    quarter_bounds,
    quarter_of,
    quarters_between,
    spread,
)
from permit_rules import default_rules_text, validate_rule_text


def test_percentiles_interpolate_between_ranks() -> None:
    assert percentile([], 50) is None
    assert percentile([7], 90) == 7
    assert percentile([4, 1, 3, 2], 50) == 2.5
    assert percentile(range(1, 11), 90) == pytest.approx(9.1)
    s = spread([1, 10, 4])
    assert (s.count, s.median, s.p90) == (3, 4, pytest.approx(8.8))
    with pytest.raises(ValueError):
        percentile([1], 101)


def test_ikm_element_average_times_25_and_overall_mean() -> None:
    result = ikm(
        [
            {"requirements": 4, "speed": 3, "clarity": 4, "manner": 4},
            {"requirements": 3, "speed": 2, "clarity": None, "manner": 4},
        ]
    )
    by_key = {e.key: e for e in result.elements}
    assert by_key["requirements"].average == 3.5 and by_key["requirements"].index == 87.5
    assert by_key["speed"].index == 62.5
    assert by_key["clarity"].answers == 1 and by_key["clarity"].index == 100
    assert result.average == pytest.approx(3.5) and result.index == pytest.approx(87.5)
    assert (result.grade, result.grade_label) == ("B", "Baik")
    empty = ikm([])
    assert empty.index is None and empty.grade == ""


@pytest.mark.parametrize(
    ("index", "grade"),
    [(100, "A"), (88.31, "A"), (88.30, "B"), (76.61, "B"), (76.60, "C"), (65.0, "C"),
     (64.99, "D"), (25, "D")],
)  # fmt: skip
def test_ikm_grades(index: float, grade: str) -> None:
    assert ikm_grade(index)[0] == grade


@pytest.mark.parametrize(
    ("percent", "category"),
    [(0, "Tidak efektif"), (25, "Tidak efektif"), (25.01, "Kurang efektif"),
     (50, "Kurang efektif"), (50.5, "Cukup efektif"), (75, "Cukup efektif"),
     (75.01, "Efektif"), (140, "Efektif"), (None, "belum dapat dihitung")],
)  # fmt: skip
def test_effectiveness_categories(percent: float | None, category: str) -> None:
    assert effectiveness_category(percent) == category


def test_effectiveness_achievement_over_target() -> None:
    e = effectiveness("2026-Q1", 30, 1000, 5)
    assert e.achievement_percent == pytest.approx(3.0)
    assert e.effectiveness_percent == pytest.approx(60.0)
    assert e.category == "Cukup efektif"
    missing = effectiveness("2026-Q1", 30, None, 5)
    assert missing.achievement_percent is None and missing.effectiveness_percent is None
    assert effectiveness("2026-Q1", 30, 1000, None).effectiveness_percent is None


def test_quarters() -> None:
    assert quarter_of(date(2026, 3, 31)) == "2026-Q1" and quarter_of(date(2026, 10, 1)) == "2026-Q4"
    assert quarter_bounds("2026-Q4") == (date(2026, 10, 1), date(2026, 12, 31))
    assert quarter_bounds("2024-Q1") == (date(2024, 1, 1), date(2024, 3, 31))
    assert quarters_between(date(2026, 2, 15), date(2026, 7, 1)) == [
        "2026-Q1",
        "2026-Q2",
        "2026-Q3",
    ]
    with pytest.raises(ValueError):
        quarter_bounds("2026-Q5")


def test_sessions_split_on_silence() -> None:
    t = datetime(2026, 1, 5, 2, 0, tzinfo=UTC)
    minutes = [0, 10, 40, 71, 24 * 60]  # gaps 10, 30 (same), 31 (new), 1 day (new)
    assert count_sessions([t + timedelta(minutes=m) for m in minutes]) == 3
    assert count_sessions([]) == 0


def test_chart_escapes_labels() -> None:
    svg = bar_chart_svg([("<script>x</script>", 3.0), ("b", 1.5)], title="A & B")
    assert "<script>" not in svg and "&lt;script&gt;" in svg and "A &amp; B" in svg
    assert svg.startswith("<svg") and svg.count("<rect") == 2


def test_yaml_edits_keep_comments_and_validate() -> None:
    text = default_rules_text()
    edited = set_value(text, parse_path("permits.NIB.due_working_days"), 3)
    edited = set_value(edited, parse_path("permits.NIB.documents"), ['KTP "asli"', "email"])
    edited = set_value(edited, parse_path("meta.note"), "singkat")
    data = yaml.safe_load(edited)
    count = len(data["activities"])
    edited = set_value(
        edited,
        ("activities", count),
        {"kbli": "56109", "title": "Kantin", "everyday_words": ["kantin"], "support": []},
    )
    edited = set_value(edited, ("activities", 0, "note"), "baru")  # a key the item lacked
    data = yaml.safe_load(edited)
    assert data["permits"]["NIB"]["due_working_days"] == 3
    assert data["permits"]["NIB"]["documents"] == ['KTP "asli"', "email"]
    assert data["meta"]["note"] == "singkat" and data["activities"][0]["note"] == "baru"
    assert data["activities"][-1]["kbli"] == "56109"
    assert validate_rule_text(edited) == []
    # Only the edited lines changed: every comment is still there.
    assert [c for c in edited.splitlines() if c.lstrip().startswith("#")] == [
        c for c in text.splitlines() if c.lstrip().startswith("#")
    ]
