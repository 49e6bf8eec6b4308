"""Settings fail fast, naming the key and its environment variable."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.settings import SettingsError, load_settings


def test_defaults_load() -> None:
    settings = load_settings()
    assert settings.web.port == 8080
    assert settings.database.url.startswith("sqlite+aiosqlite:///")
    assert not settings.telegram.enabled and not settings.whatsapp.enabled


def test_environment_overrides(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SIKETAN__WEB__PORT", "9001")
    monkeypatch.setenv("SIKETAN__WEBCHAT__RATE_LIMIT_PER_MINUTE", "5")
    settings = load_settings()
    assert settings.web.port == 9001
    assert settings.webchat.rate_limit_per_minute == 5


@pytest.mark.parametrize(
    ("variable", "value", "named"),
    [
        ("SIKETAN__WEB__PORT", "http", "SIKETAN__WEB__PORT"),
        ("SIKETAN__WEB__PORT", "70000", "SIKETAN__WEB__PORT"),
        ("SIKETAN__DATABASE__URL", "mysql://x", "SIKETAN__DATABASE__URL"),
        ("SIKETAN__NLU__BACKEND", "gpt", "SIKETAN__NLU__BACKEND"),
    ],
)
def test_bad_value_names_key(
    monkeypatch: pytest.MonkeyPatch, variable: str, value: str, named: str
) -> None:
    monkeypatch.setenv(variable, value)
    with pytest.raises(SettingsError) as err:
        load_settings()
    assert named in str(err.value)


def test_half_configured_telegram_webhook(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SIKETAN__TELEGRAM__TOKEN", "123:abc")
    monkeypatch.setenv("SIKETAN__TELEGRAM__MODE", "webhook")
    with pytest.raises(SettingsError) as err:
        load_settings()
    assert "secret_token" in str(err.value) and "webhook_url" in str(err.value)


def test_half_configured_whatsapp(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SIKETAN__WHATSAPP__PHONE_NUMBER_ID", "123")
    with pytest.raises(SettingsError) as err:
        load_settings()
    assert "app_secret" in str(err.value)


def test_secret_not_in_repr(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SIKETAN__TELEGRAM__TOKEN", "123:very-secret")
    settings = load_settings()
    assert "very-secret" not in repr(settings)


def test_missing_config_file(tmp_path: Path) -> None:
    with pytest.raises(SettingsError):
        load_settings(tmp_path / "nope.yaml")


def test_cli_reports_bad_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    from typer.testing import CliRunner

    from bot.cli import app

    monkeypatch.setenv("SIKETAN__WEB__PORT", "not-a-port")
    result = CliRunner().invoke(app, ["db", "upgrade"])
    assert result.exit_code == 2
    assert "SIKETAN__WEB__PORT" in result.output
