"""Typed settings: `config.yaml` defaults, overridden by `SIKETAN__SECTION__KEY` variables.

Secrets (tokens, app secrets) are only ever read from the environment in production; the
YAML keeps empty placeholders so every key is discoverable in one file.
"""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field, SecretStr, ValidationError, field_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    YamlConfigSettingsSource,
)

DEFAULT_CONFIG = Path("config.yaml")


class SettingsError(Exception):
    """A configuration value is missing or wrong; the message says which and why."""


class DatabaseSettings(BaseModel):
    url: str = "sqlite+aiosqlite:///var/siketan.db"
    echo: bool = False

    @field_validator("url")
    @classmethod
    def _known_driver(cls, value: str) -> str:
        if not value.startswith(("sqlite+aiosqlite://", "postgresql+asyncpg://")):
            raise ValueError(
                "must start with sqlite+aiosqlite:// or postgresql+asyncpg:// "
                "(the async drivers SIKETAN ships with)"
            )
        return value

    @property
    def is_sqlite(self) -> bool:
        return self.url.startswith("sqlite")


class WebSettings(BaseModel):
    host: str = "127.0.0.1"
    port: int = Field(8080, ge=1, le=65535)
    public_url: str = ""


class FileSettings(BaseModel):
    root: Path = Path("var/files")
    max_bytes: int = Field(10 * 1024 * 1024, gt=0)


class WebchatSettings(BaseModel):
    max_text_chars: int = Field(4000, gt=0)
    rate_limit_per_minute: int = Field(30, gt=0)


class OutboxSettings(BaseModel):
    max_attempts: int = Field(6, ge=1)
    base_delay_seconds: float = Field(1.0, gt=0)
    max_delay_seconds: float = Field(300.0, gt=0)
    poll_interval_seconds: float = Field(0.5, gt=0)


class TelegramSettings(BaseModel):
    token: SecretStr = SecretStr("")
    mode: Literal["polling", "webhook"] = "polling"
    base_url: str = "https://api.telegram.org/bot"
    base_file_url: str = "https://api.telegram.org/file/bot"
    webhook_url: str = ""
    secret_token: SecretStr = SecretStr("")
    # Long-polling wait per getUpdates call (Telegram allows up to 50 s).
    poll_timeout_seconds: int = Field(30, ge=0, le=50)
    # Telegram asks bots to stay near 1 message/s per chat and 30 messages/s overall; a short
    # burst per chat is tolerated, so a two-message answer is not slowed down.
    per_chat_per_second: float = Field(1.0, gt=0)
    per_chat_burst: int = Field(3, ge=1)
    global_per_second: float = Field(30.0, gt=0)
    # Show "typing..." when an answer takes longer than this.
    typing_after_seconds: float = Field(1.0, ge=0)

    @field_validator("secret_token")
    @classmethod
    def _telegram_secret_charset(cls, value: SecretStr) -> SecretStr:
        # setWebhook accepts only 1-256 characters A-Z, a-z, 0-9, _ and -.
        raw = value.get_secret_value()
        if raw and (
            len(raw) > 256 or not all(c.isascii() and (c.isalnum() or c in "_-") for c in raw)
        ):
            raise ValueError("must be 1-256 characters of A-Z, a-z, 0-9, _ and -")
        return value

    @property
    def enabled(self) -> bool:
        return bool(self.token.get_secret_value())


class WhatsAppTemplate(BaseModel):
    """An approved message template: its name in WhatsApp Manager and its language code."""

    name: str = Field(min_length=1)
    language: str = "id"


def _default_templates() -> dict[str, WhatsAppTemplate]:
    return {
        "status_update": WhatsAppTemplate(name="siketan_status_update", language="id"),
        "appointment_reminder": WhatsAppTemplate(name="siketan_appointment_reminder"),
        "appointment_changed": WhatsAppTemplate(name="siketan_appointment_changed"),
    }


class WhatsAppSettings(BaseModel):
    phone_number_id: str = ""
    access_token: SecretStr = SecretStr("")
    app_secret: SecretStr = SecretStr("")
    verify_token: SecretStr = SecretStr("")
    api_version: str = "21.0"
    graph_api_base_url: str = "https://graph.facebook.com"
    # Outbound.template key -> approved template; used outside the 24-hour service window.
    templates: dict[str, WhatsAppTemplate] = Field(default_factory=_default_templates)
    request_timeout_seconds: float = Field(20.0, gt=0)

    @property
    def enabled(self) -> bool:
        return bool(self.phone_number_id or self.access_token.get_secret_value())


class KtpSettings(BaseModel):
    """Reading the KTP from its photo (issue 18): on by default when rapidocr is installed."""

    reading: bool = True
    threads: int = Field(1, ge=1, le=8)  # onnxruntime threads for one reading
    max_pixels: int = Field(40_000_000, gt=0)  # refused before decoding above this
    wait_seconds: float = Field(20.0, ge=0)  # a photo waiting longer for the reader is typed


class NluSettings(BaseModel):
    backend: Literal["embedded", "rasa"] = "embedded"
    rasa_url: str = ""
    model_path: Path = Path("var/nlu-model.joblib")


def _default_office_hours() -> dict[str, str]:
    # MPP Kota Probolinggo from 1 July 2024 (SK DPMPTSP 500.16.7.2/290/425.117/2024).
    return {
        "mon": "08:00-14:00",
        "tue": "08:00-14:00",
        "wed": "08:00-14:00",
        "thu": "08:00-14:00",
        "fri": "08:00-11:00",
    }


class OfficeSettings(BaseModel):
    timezone: str = "Asia/Jakarta"
    # weekday (mon..sun) -> "HH:MM-HH:MM" when officers serve; a missing weekday is closed.
    hours: dict[str, str] = Field(default_factory=_default_office_hours)
    holidays_country: str = "ID"  # national holidays (`holidays` package); "" for none
    extra_closed_dates: list[date] = Field(default_factory=list)
    # A waiting citizen nobody claims within this time is told so; the request becomes a ticket.
    handoff_timeout_minutes: float = Field(15.0, gt=0)
    # Signs console session cookies; empty -> random per start (sessions reset on restart).
    session_secret: SecretStr = SecretStr("")
    # Console sessions end after this much inactivity.
    session_hours: float = Field(10.0, gt=0)

    @field_validator("hours")
    @classmethod
    def _valid_hours(cls, value: dict[str, str]) -> dict[str, str]:
        from dialogs.office_hours import OfficeHours

        OfficeHours.from_config("UTC", value)
        return value

    @field_validator("timezone")
    @classmethod
    def _valid_zone(cls, value: str) -> str:
        from zoneinfo import ZoneInfo

        try:
            ZoneInfo(value)
        except Exception as exc:
            raise ValueError(f"unknown time zone {value!r}") from exc
        return value


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="SIKETAN__",
        env_nested_delimiter="__",
        extra="forbid",
    )

    database: DatabaseSettings = DatabaseSettings()
    web: WebSettings = WebSettings()
    files: FileSettings = FileSettings()
    webchat: WebchatSettings = WebchatSettings()
    outbox: OutboxSettings = OutboxSettings()
    telegram: TelegramSettings = TelegramSettings()
    whatsapp: WhatsAppSettings = WhatsAppSettings()
    nlu: NluSettings = NluSettings()
    ktp: KtpSettings = KtpSettings()
    office: OfficeSettings = OfficeSettings()

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        path = Path(os.environ.get("SIKETAN_CONFIG", str(DEFAULT_CONFIG)))
        sources: list[PydanticBaseSettingsSource] = [init_settings, env_settings]
        if path.exists():
            sources.append(YamlConfigSettingsSource(settings_cls, yaml_file=path))
        return tuple(sources)


def load_settings(config_file: Path | None = None, **overrides: object) -> Settings:
    """Load and validate settings; raise `SettingsError` naming each bad key."""
    if config_file is not None:
        if not config_file.exists():
            raise SettingsError(f"config file not found: {config_file}")
        os.environ["SIKETAN_CONFIG"] = str(config_file)
    try:
        settings = Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        lines = []
        for err in exc.errors():
            key = ".".join(str(p) for p in err["loc"])
            env = "SIKETAN__" + "__".join(str(p).upper() for p in err["loc"])
            lines.append(f"  {key} ({env}): {err['msg']}")
        raise SettingsError("invalid configuration:\n" + "\n".join(lines)) from None
    _check_channels(settings)
    return settings


def _check_channels(settings: Settings) -> None:
    # A half-configured channel would silently drop citizens' messages; refuse to start instead.
    tg = settings.telegram
    if tg.enabled and tg.mode == "webhook":
        missing = [
            k
            for k, v in (
                ("webhook_url", tg.webhook_url),
                ("secret_token", tg.secret_token.get_secret_value()),
            )
            if not v
        ]
        if missing:
            raise SettingsError(
                "telegram.mode is webhook but these are missing: "
                + ", ".join(f"telegram.{k} (SIKETAN__TELEGRAM__{k.upper()})" for k in missing)
            )
    wa = settings.whatsapp
    if wa.enabled:
        missing = [
            k
            for k, v in (
                ("phone_number_id", wa.phone_number_id),
                ("access_token", wa.access_token.get_secret_value()),
                ("app_secret", wa.app_secret.get_secret_value()),
                ("verify_token", wa.verify_token.get_secret_value()),
            )
            if not v
        ]
        if missing:
            raise SettingsError(
                "WhatsApp is half-configured; missing: "
                + ", ".join(f"whatsapp.{k} (SIKETAN__WHATSAPP__{k.upper()})" for k in missing)
            )
