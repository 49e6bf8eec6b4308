from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from bot.cli import app
from nlu import NluEngine, build_default_engine
from nlu.evaluate import evaluate, load_kbli_items
from nlu.kbli import KbliMatcher
from nlu.rasa_backend import RasaHttpParser
from nlu.types import INTENTS
from permit_rules.catalog import load_default_catalog


@pytest.fixture(scope="module")
def engine() -> NluEngine:
    return NluEngine.train()


def test_shape(engine: NluEngine) -> None:
    out = engine.parse("sy mau buka laundry kiloan di kel. mayangan, modal 5jt").to_dict()
    assert set(out) == {"text", "intent", "intent_ranking", "entities", "kbli", "language"}
    assert set(out["intent"]) == {"name", "confidence"}
    assert out["intent"]["name"] in INTENTS
    assert out["kbli"][0]["code"] == "96100"  # KBLI 2025 (KBLI 2020: 96200)
    assert out["kbli"][0]["version"] == "KBLI2025"
    assert len(out["kbli"]) <= 10
    for ent in out["entities"]:
        assert set(ent) == {"entity", "value", "start", "end", "confidence"}
    json.dumps(out)


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("halo min", "greet"),
        ("brp biayanya kak", "ask_cost"),
        ("cuaca besok gimana", "out_of_scope"),
        ("siapa presiden sekarang", "out_of_scope"),
        ("skor bola semalam", "out_of_scope"),
        ("cek SKT-2026-000123", "check_status"),
    ],
)
def test_examples(engine: NluEngine, text: str, intent: str) -> None:
    assert engine.parse(text).intent.name == intent


def test_language(engine: NluEngine) -> None:
    assert engine.parse("what permits do i need for a bakery").language == "en"
    assert engine.parse("izin apa yang saya butuhkan").language == "id"


@pytest.mark.parametrize(
    "text",
    ["", "   ", "😀😀😀", "x" * 10_000, "\x00\x01\x1b[31m", "中文 العربية ไทย", "a" * 100_000],
)
def test_never_raises(engine: NluEngine, text: str) -> None:
    result = engine.parse(text)
    assert result.intent.name in INTENTS
    json.dumps(result.to_dict())


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=300))
def test_any_text(engine: NluEngine, text: str) -> None:
    result = engine.parse(text)
    assert result.intent.name in INTENTS
    for ent in result.entities:
        assert 0 <= ent.start <= ent.end <= len(text)
    json.dumps(result.to_dict(), ensure_ascii=False)


def test_quality_gates(engine: NluEngine) -> None:
    report = evaluate(engine.parse, kbli_match=lambda t: [k.code for k in engine.kbli.match(t)])
    assert report.n_intent >= 300
    assert report.accuracy >= 0.92, report.errors
    assert report.kbli_top3 >= 0.85, report.kbli_misses


def test_kbli_test_codes_exist() -> None:
    catalog = load_default_catalog()
    for item in load_kbli_items():
        assert all(code in catalog for code in item.codes), item


def test_kbli_matcher_without_everyday_words() -> None:
    matcher = KbliMatcher(load_default_catalog(), {})
    codes = [c.code for c in matcher.match("industri kerupuk dan keripik")][:3]
    assert "10794" in codes


def test_kbli_matcher_takes_everyday_words() -> None:
    matcher = KbliMatcher(load_default_catalog(), {"96100": ["zzkiloan ajaib"]})
    assert matcher.match("zzkiloan ajaib")[0].code == "96100"


def test_save_load(engine: NluEngine, tmp_path: Path) -> None:
    path = tmp_path / "m.joblib"
    engine.save(path)
    loaded = build_default_engine(path)
    text = "izin buka warung kopi apa aja"
    assert loaded.parse(text).to_dict() == engine.parse(text).to_dict()


# ------------------------------------------------------------------ CLI


def test_cli_train_parse_evaluate(tmp_path: Path) -> None:
    runner = CliRunner()
    out = tmp_path / "model.joblib"
    res = runner.invoke(app, ["nlu", "train", "--out", str(out)])
    assert res.exit_code == 0, res.output
    assert out.exists()
    mtime = out.stat().st_mtime_ns
    res = runner.invoke(app, ["nlu", "train", "--out", str(out), "--if-missing"])
    assert res.exit_code == 0 and out.stat().st_mtime_ns == mtime
    res = runner.invoke(
        app, ["nlu", "parse", "--model", str(out)], input="halo\njual baju online\n\n"
    )
    assert res.exit_code == 0, res.output
    lines = [json.loads(line) for line in res.output.splitlines()]
    assert len(lines) == 3
    assert lines[0]["intent"]["name"] == "greet"
    assert lines[1]["kbli"][0]["code"] == "47711"  # KBLI 2025: online retail is by product
    res = runner.invoke(app, ["nlu", "evaluate", "--model", str(out), "--json"])
    assert res.exit_code == 0, res.output
    assert json.loads(res.output)["intent"]["accuracy"] >= 0.92


# ------------------------------------------------------------------ Rasa backend


class _RasaHandler(BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        if self.path != "/model/parse":
            self.send_response(404)
            self.end_headers()
            return
        answer = {
            "text": body["text"],
            "intent": {"name": "greet", "confidence": 0.97},
            "intent_ranking": [
                {"name": "greet", "confidence": 0.97},
                {"name": "goodbye", "confidence": 0.03},
            ],
            "entities": [
                {"entity": "kecamatan", "value": "Mayangan", "start": 0, "end": 8,
                 "confidence_entity": 0.9, "extractor": "DIETClassifier"}
            ],
        }  # fmt: skip
        data = json.dumps(answer).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def rasa_server() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _RasaHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


async def test_rasa_backend(engine: NluEngine, rasa_server: str) -> None:
    parser = RasaHttpParser(rasa_server, engine)
    result = await parser.parse("Mayangan halo")
    assert result.intent.name == "greet" and result.intent.confidence == 0.97
    assert [r.name for r in result.intent_ranking] == ["greet", "goodbye"]
    assert result.entities[0].value == "Mayangan"
    assert parser.failures == 0


async def test_rasa_backend_falls_back(
    engine: NluEngine, rasa_server: str, caplog: pytest.LogCaptureFixture
) -> None:
    parser = RasaHttpParser(rasa_server + "/wrong", engine)
    result = await parser.parse("berapa biayanya")
    assert result.intent.name == "ask_cost"
    assert parser.failures == 1
    assert "embedded parser" in caplog.text
    dead = RasaHttpParser("http://127.0.0.1:9", engine, timeout=0.5)
    assert (await dead.parse("halo")).intent.name == "greet"


@pytest.mark.parametrize(
    ("text", "code"),
    [("kebun anggur", "01210"), ("toko bangunan material", "47521"), ("permak celana", "95291")],
)
def test_bare_description_still_gets_candidates(engine: NluEngine, text: str, code: str) -> None:
    # Whatever intent a bare description gets, the guide's "what is your business?" step
    # needs its KBLI candidates.
    result = engine.parse(text)
    assert code in [c.code for c in result.kbli[:3]]


def test_weather_question_gets_no_candidates(engine: NluEngine) -> None:
    result = engine.parse("cuaca besok gimana?")
    assert result.intent.name == "out_of_scope"
    assert result.kbli == ()


@pytest.mark.parametrize(
    "text",
    ["halo", "jam buka kantor?", "sy mau buka laundry kiloan", "3574012345678901", "", "🙏🙏"],
)
def test_one_message_probabilities_equal_the_pipelines(engine: NluEngine, text: str) -> None:
    # The one-text path (nlu/one_text.py) skips scikit-learn's input validation; it must give
    # scikit-learn's own answers, for the classifier and for the KBLI matcher's vectorizers.
    from nlu import one_text
    from nlu.engine import classifier_text

    norm = classifier_text(text)
    expected = engine.pipeline.predict_proba([norm])[0]
    # scikit-learn scores float32 features in float32, this path in float64.
    assert engine.probabilities(norm) == pytest.approx(expected, abs=1e-6)
    for _, vectorizer in engine.pipeline.named_steps["features"].transformer_list:
        mine = one_text.tfidf(vectorizer, norm).toarray()
        assert mine == pytest.approx(vectorizer.transform([norm]).toarray(), abs=1e-6)
    for vectorizer in (engine.kbli._char, engine.kbli._word):
        mine = one_text.tfidf(vectorizer, norm).toarray()
        assert mine == pytest.approx(vectorizer.transform([norm]).toarray(), abs=1e-6)


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("halo, saya mau buka warung makan", "inform_business"),
        ("assalamualaikum, sy mau bikin izin usaha jahit", "apply_permit"),
        ("selamat pagi min", "greet"),
        ("siang min, mau nanya", "greet"),
    ],
)
def test_a_greeting_does_not_hide_the_request(engine: NluEngine, text: str, intent: str) -> None:
    assert engine.parse(text).intent.name == intent


def test_strip_greeting() -> None:
    from nlu.normalize import strip_greeting

    assert strip_greeting("halo min mau buka laundry") == "mau buka laundry"
    assert strip_greeting("selamat siang pak") == ""
    assert strip_greeting("bukan halo") == "bukan halo"


def test_a_verb_or_a_permit_name_alone_names_no_business(engine: NluEngine) -> None:
    for text in ("biaya bikin NIB berapa", "berapa lama sertifikat halal", "jualan"):
        assert engine.kbli.match(text) == []
    assert engine.kbli.match("bikin lemari dan meja kayu")[0].code == "31011"


def test_english_function_words_name_no_business(engine: NluEngine) -> None:
    assert engine.kbli.match("what is NIB") == []
    assert engine.kbli.match("how much does it cost") == []
