"""Every setting of the bot, read from the environment and `.env` (see .env.example)."""

from __future__ import annotations

import re
import zoneinfo
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

ROOT = Path(__file__).resolve().parent
TOKEN_PATTERN = re.compile(r"^\d{3,}:[A-Za-z0-9_-]{30,}$")
LANGUAGES = ("nl", "en")

Language = Literal["nl", "en"]


class SettingsError(Exception):
    """A setting is missing or malformed; the message says what to do, in one line."""


class Settings(BaseSettings):
    """The bot's configuration; field names match the upper-case keys in .env."""

    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    telegram_bot_token: SecretStr = SecretStr("")
    database_url: str = f"sqlite+aiosqlite:///{ROOT / 'data' / 'netwerkpols.sqlite3'}"
    telegram_api_base_url: str = "https://api.telegram.org"
    webhook_url: str = ""
    webhook_listen: str = "0.0.0.0"
    webhook_port: int = Field(default=8443, ge=1, le=65535)
    webhook_secret_token: SecretStr = SecretStr("")
    default_language: Language = "nl"
    default_timezone: str = "Europe/Amsterdam"
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    dispatch_interval_seconds: float = Field(default=5.0, gt=0)
    dispatch_batch_size: int = Field(default=100, ge=1, le=1000)
    dispatch_lease_seconds: int = Field(default=300, ge=30)
    chat_send_interval_seconds: float = Field(default=1.0, ge=0, le=60)
    startup_wait_seconds: float = Field(default=120.0, ge=0, le=3600)
    sandbox_port: int = Field(default=8080, ge=1, le=65535)
    sandbox_database_url: str = (
        f"sqlite+aiosqlite:///{ROOT / 'data' / 'netwerkpols-sandbox.sqlite3'}"
    )

    @field_validator("default_timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        if value not in zoneinfo.available_timezones():
            raise ValueError(f"unknown time zone {value!r}; use a name such as Europe/Amsterdam")
        return value

    @field_validator("webhook_secret_token")
    @classmethod
    def _telegram_secret(cls, value: SecretStr) -> SecretStr:
        secret = value.get_secret_value()
        if secret and not re.fullmatch(r"[A-Za-z0-9_-]{1,256}", secret):
            raise ValueError("may only contain A-Z, a-z, 0-9, _ and - (1 to 256 characters)")
        return value

    @property
    def token(self) -> str:
        """The bot token as plain text, for the Telegram client only."""
        return self.telegram_bot_token.get_secret_value()

    @property
    def uses_webhook(self) -> bool:
        """Whether updates arrive by webhook (set) or long polling (unset)."""
        return bool(self.webhook_url)

    def require_token(self) -> None:
        """Raise SettingsError unless a token of Telegram's shape is configured."""
        if not self.token:
            raise SettingsError(
                "No TELEGRAM_BOT_TOKEN set: create a bot with @BotFather in Telegram "
                "and put its token in .env (see .env.example)."
            )
        if not TOKEN_PATTERN.fullmatch(self.token):
            raise SettingsError(
                "TELEGRAM_BOT_TOKEN does not look like a bot token (digits, a colon, then "
                "letters): copy it again from @BotFather into .env."
            )


def load_settings(**overrides: object) -> Settings:
    """Read the settings, turning validation errors into one readable SettingsError."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as error:
        first = error.errors()[0]
        key = str(first["loc"][0]).upper() if first["loc"] else "settings"
        raise SettingsError(f"{key} in .env is not valid: {first['msg']}.") from None
