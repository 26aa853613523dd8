"""Settings, read once from the environment (prefix ``VERITY_``) and passed in from there.

Constructors never read the environment: they take a ``Settings`` (or the values they need).
"""

from __future__ import annotations

from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import AliasChoices, Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from copilot.errors import ConfigError

_REPO_ROOT = Path(__file__).resolve().parent.parent


class Settings(BaseSettings):
    """Every knob of Verity; see the README's settings table."""

    model_config = SettingsConfigDict(env_prefix="VERITY_", extra="ignore", frozen=True)

    data_dir: Path = Field(default=_REPO_ROOT / ".verity", description="caches, stores, indexes")
    shared_data: Path = Field(
        default=_REPO_ROOT.parent / "shared" / "data",
        description="read-only real data used by tests, evals and `make run`",
    )
    market_data: str = Field(default="yfinance", description="`yfinance` or `snapshot:DIR`")
    as_of: date | None = Field(default=None, description="pin the analysis date")
    log_level: str = "INFO"

    # market-data cache time-to-live per kind, in seconds
    ttl_quote: int = 300
    ttl_daily_bars: int = 12 * 3600
    ttl_finished_bars: int = 30 * 24 * 3600
    ttl_fundamentals: int = 24 * 3600
    provider_timeout: float = 20.0

    # knowledge base
    chroma_url: str | None = None
    embeddings: str = Field(
        default="default", description="default | minilm | wordllama | openai:MODEL | st:MODEL"
    )
    max_document_bytes: int = 50 * 1024 * 1024

    # language model
    llm: Literal["auto", "openai", "offline"] = "auto"
    model: str = "gpt-4o-mini"
    openai_api_key: str | None = Field(
        default=None, validation_alias=AliasChoices("OPENAI_API_KEY", "VERITY_OPENAI_API_KEY")
    )
    openai_base_url: str | None = Field(
        default=None, validation_alias=AliasChoices("OPENAI_BASE_URL", "VERITY_OPENAI_BASE_URL")
    )
    llm_timeout: float = 60.0
    agent_max_steps: int = 12
    tool_timeout: float = 30.0
    turn_timeout: float = 180.0
    verify_policy: Literal["annotate", "repair"] = "repair"
    max_question_chars: int = 8000

    # deep research
    research_concurrency: int = Field(default=8, ge=1, description="tool and model calls at once per report")
    # USD per million input and output tokens, by model name; a model not listed is costed at 0
    llm_prices: dict[str, tuple[float, float]] = Field(
        default_factory=lambda: {"gpt-4o-mini": (0.15, 0.60), "gpt-4o": (2.50, 10.00)}
    )

    # research jobs: who runs them, how many at once, and when a silent one counts as orphaned
    job_runner: Literal["inline", "procrastinate"] = Field(
        default="inline", description="inline: the web process; procrastinate: `verity worker`s (PostgreSQL)"
    )
    research_jobs_at_once: int = Field(default=4, ge=1, description="reports one process writes at once")
    research_quota: int = Field(default=3, ge=1, description="reports one user may have queued or running")
    # an interrupted report (its worker stopped) is written again until it has been started this often
    research_max_attempts: int = Field(default=3, ge=1, description="times a report may be started")
    job_lease: float = Field(
        default=10.0, gt=0, description="seconds of silence after which a worker is gone"
    )

    # web
    host: str = "127.0.0.1"
    port: int = 8000
    workers: int = Field(default=1, ge=1, description="uvicorn worker processes of `verity serve`")
    max_body_bytes: int = Field(default=1024 * 1024, description="largest JSON request body")
    max_upload_bytes: int = Field(default=20 * 1024 * 1024, description="largest document upload")

    # storage and accounts
    database_url: str | None = Field(
        default=None, description="PostgreSQL URL; unset = SQLite (WAL) under the data dir"
    )
    migrate_on_start: bool = Field(default=True, description="apply database migrations at startup")
    redis_url: str | None = Field(default=None, description="rate-limit counters shared by several workers")
    session_days: float = Field(default=14.0, gt=0, description="a login session's lifetime")
    allow_registration: bool = Field(default=True, description="anyone may register an account")
    # rate limits in the `limits` library's notation ("N per second|minute|hour|day", or "N/minute")
    rate_limit_user: str = "60/minute"  # chat turns of a logged-in user or an API key
    rate_limit_anonymous: str = "10/minute"  # chat turns of an anonymous visitor (per session and per IP)
    rate_limit_login: str = "5/minute"  # login attempts per email and per IP
    rate_limit_api: str = "600/minute"  # every other API call of one caller

    @field_validator("market_data")
    @classmethod
    def _check_market_data(cls, value: str) -> str:
        if value != "yfinance" and not value.startswith("snapshot:"):
            raise ConfigError(f"VERITY_MARKET_DATA must be 'yfinance' or 'snapshot:DIR', not {value!r}")
        return value

    @field_validator("rate_limit_user", "rate_limit_anonymous", "rate_limit_login", "rate_limit_api")
    @classmethod
    def _check_rate_limit(cls, value: str) -> str:
        from limits import parse_many

        try:
            parse_many(value)
        except ValueError:
            raise ConfigError(f"a rate limit must read like '10/minute', not {value!r}") from None
        return value

    @property
    def llm_backend(self) -> Literal["openai", "offline"]:
        """`openai` whenever a key or base URL is set (or forced); otherwise the offline analyst."""
        if self.llm != "auto":
            return self.llm
        return "openai" if (self.openai_api_key or self.openai_base_url) else "offline"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, read from the environment once."""
    return Settings()
