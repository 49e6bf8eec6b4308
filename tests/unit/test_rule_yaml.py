"""Form edits of a rule file's YAML: only real changes are written, in the file's own style."""

from __future__ import annotations

import yaml

from console.rule_yaml import parse_path, set_value, set_values
from permit_rules import default_rules_text, validate_rule_text

TEXT = """\
# why this file exists
permits:
  NIB:
    kind: pb_umku      # kept as written
    name: "Nomor Induk Berusaha"
    due_working_days: 0
    documents:
    - KTP-el
    - email aktif
"""


def test_unchanged_values_are_not_rewritten() -> None:
    changes = [
        (parse_path("permits.NIB.kind"), "pb_umku"),
        (parse_path("permits.NIB.name"), "Nomor Induk Berusaha"),
        (parse_path("permits.NIB.due_working_days"), 2),
        (parse_path("permits.NIB.documents"), ["KTP-el", "email aktif"]),
        (parse_path("permits.NIB.note"), None),  # absent and empty: nothing to add
    ]
    edited, changed = set_values(TEXT, changes)
    assert changed == [("permits", "NIB", "due_working_days")]
    assert edited == TEXT.replace("due_working_days: 0", "due_working_days: 2")


def test_strings_are_written_plain_unless_yaml_needs_quotes() -> None:
    edited, _ = set_values(TEXT, [(parse_path("permits.NIB.kind"), "perizinan_berusaha")])
    assert "    kind: perizinan_berusaha      # kept as written\n" in edited
    edited, _ = set_values(TEXT, [(parse_path("permits.NIB.kind"), "yes")])
    assert yaml.safe_load(edited)["permits"]["NIB"]["kind"] == "yes"  # not the boolean


def test_a_block_list_under_a_key_can_be_replaced() -> None:
    edited, changed = set_values(TEXT, [(parse_path("permits.NIB.documents"), ["KTP"])])
    assert changed == [("permits", "NIB", "documents")]
    assert yaml.safe_load(edited)["permits"]["NIB"]["documents"] == ["KTP"]
    assert edited.startswith("# why this file exists\n")  # not re-dumped from data


def test_mapping_values_change_only_their_changed_keys() -> None:
    text = default_rules_text()
    data = yaml.safe_load(text)
    nib = dict(data["permits"]["NIB"], due_working_days=5)
    edited, changed = set_values(text, [(("permits", "NIB"), nib)])
    assert changed == [("permits", "NIB", "due_working_days")]
    assert validate_rule_text(edited) == []
    diff = [(a, b) for a, b in zip(text.splitlines(), edited.splitlines(), strict=True) if a != b]
    assert len(diff) == 1 and "due_working_days: 5" in diff[0][1]


def test_set_value_still_adds_keys_and_items() -> None:
    edited = set_value(TEXT, parse_path("permits.NIB.note"), "baru")
    assert yaml.safe_load(edited)["permits"]["NIB"]["note"] == "baru"
