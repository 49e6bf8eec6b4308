from __future__ import annotations

from pathlib import Path

import pytest

from nlu.rasa_yaml import RasaDataError, load_rasa_file, load_rasa_files, parse_rasa_yaml

RASA = Path(__file__).resolve().parent.parent / "data" / "rasa"
NLU_DATA = Path(__file__).resolve().parents[2] / "nlu" / "data"


def test_demo_rasa() -> None:
    data = load_rasa_file(RASA / "demo-rasa.yml")
    assert {"affirm", "goodbye", "greet", "restaurant_search", "chitchat/ask_name"} <= set(
        data.intents
    )
    ex = next(e for e in data.examples if e.text == "show me chines restaurants in the north")
    cuisine = next(e for e in ex.entities if e.entity == "cuisine")
    assert (cuisine.value, ex.text[cuisine.start : cuisine.end]) == ("chinese", "chines")
    assert data.synonyms["vegg"] == "vegetarian"
    assert data.regexes["zipcode"] == ["[0-9]{5}"]
    assert "[" not in "".join(e.text for e in data.examples)


def test_composite_roles_groups() -> None:
    data = load_rasa_file(RASA / "demo-rasa-composite-entities.yml")
    ex = next(e for e in data.examples if e.text.startswith("i am looking for a flight from SF"))
    roles = [(e.entity, e.role, e.value) for e in ex.entities]
    assert roles == [("location", "from", "San Fransisco"), ("location", "to", "New York")]
    pizza = next(e for e in data.examples if e.intent == "order_pizza")
    assert {e.group for e in pizza.entities} == {"1", "2"}


def test_lookup_and_overlapping_regex() -> None:
    lookup = load_rasa_file(RASA / "demo-rasa-lookup-ents.yml")
    assert lookup.lookups["product"] == ["milk", "bread", "butter", "pasta"]
    overlap = load_rasa_file(RASA / "overlapping_regex_entities.yml")
    assert overlap.regexes["zipcode"]
    assert all(fixture.suffix == ".yml" for fixture in RASA.iterdir())


def test_directory_merge() -> None:
    data = load_rasa_files([RASA])
    assert len(data.examples) >= 100


def test_own_training_data_uses_all_intents() -> None:
    from nlu.types import INTENTS

    data = load_rasa_file(NLU_DATA / "nlu.yml")
    assert set(data.intents) == set(INTENTS)
    assert data.synonyms and data.regexes and data.lookups
    assert any(e.entities for e in data.examples)


def test_test_set_is_not_in_training() -> None:
    train = {e.text.lower() for e in load_rasa_file(NLU_DATA / "nlu.yml").examples}
    test = load_rasa_file(NLU_DATA / "test" / "test_intents.yml").examples
    assert len(test) >= 300
    assert not [e.text for e in test if e.text.lower() in train]


@pytest.mark.parametrize("bad", ["nlu: 3", "[1, 2]", "nlu:\n- intent: x\n  examples: |\n    oops"])
def test_bad_files(bad: str) -> None:
    with pytest.raises(RasaDataError):
        parse_rasa_yaml(bad)
