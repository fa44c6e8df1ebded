"""Settings: one pydantic-settings object, read from ``SMARTKOTIM_*`` environment variables.

Nothing here is read at import time: ``load_settings()`` builds a ``Settings`` when a command or the
app starts, and every value is validated then. Secrets also accept a ``*_FILE`` variant
(``SMARTKOTIM_SECRET_KEY_FILE=/run/secrets/key``) so they need not sit in the environment.
Every field must be documented in ``docs/settings.md`` (a test checks this).
"""

from __future__ import annotations

import os
import re
import secrets
from datetime import date
from pathlib import Path
from typing import Any

from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

_REGENCY_CODE = re.compile(r"^\d{2}\.\d{2}$")
SECRET_FIELDS = ("secret_key", "database_url")


class SettingsError(ValueError):
    """Raised when the settings are invalid; the message names each bad variable."""


class Settings(BaseSettings):
    """All configuration of one SmartKotim installation."""

    model_config = SettingsConfigDict(env_prefix="SMARTKOTIM_", extra="ignore", frozen=True)

    data_dir: Path = Field(
        default=Path("var"),
        description="Folder for all local state: SQLite file, ledger, kept uploads, generated secret key.",
    )
    database_url: SecretStr | None = Field(
        default=None,
        description="SQLAlchemy URL of the state database; empty means SQLite at DATA_DIR/smartkotim.db.",
    )
    secret_key: SecretStr | None = Field(
        default=None,
        description="Key for session cookies, CSRF tokens and payer pseudonyms; generated on first run.",
    )
    regency_code: str = Field(
        default="62.02", description="Kemendagri code of the kabupaten/kota this installation serves."
    )
    host: str = Field(default="127.0.0.1", description="Address `smartkotim serve` listens on.")
    port: int = Field(default=8000, ge=1, le=65535, description="Port `smartkotim serve` listens on.")
    default_language: str = Field(default="id", description="Interface language: `id` or `en`.")
    session_cookie_https_only: bool = Field(
        default=False, description="Send the session cookie only over HTTPS (set true in production)."
    )
    session_max_age_hours: int = Field(default=12, ge=1, le=24 * 30, description="Session lifetime, hours.")
    login_max_failures: int = Field(
        default=5, ge=1, description="Failed logins per account (username) before that account is locked out."
    )
    login_lockout_minutes: int = Field(default=15, ge=1, description="Lock-out window after failures, min.")
    login_max_failures_per_address: int = Field(
        default=50,
        ge=1,
        description="Failed logins from one client address (any usernames) before that address is locked "
        "out; kept far above `login_max_failures` so one user mistyping cannot lock out an office.",
    )
    forwarded_allow_ips: str = Field(
        default="",
        description="Comma-separated addresses of trusted reverse proxies whose `X-Forwarded-For`/"
        "`X-Forwarded-Proto` headers `serve` honours; empty means use the socket address.",
    )
    auth_cache_seconds: float = Field(
        default=2.0,
        ge=0,
        le=60,
        description="How long a web process reuses a session's or API token's identity without asking the "
        "database again, s (0 = every request); a change made in another process (CLI, another web "
        "worker) takes effect within twice this time, one in the same process at once.",
    )
    api_token_default_days: int = Field(default=90, ge=1, description="Default lifetime of API tokens, days.")
    run_worker: bool = Field(default=True, description="Run the job worker as a thread inside `serve`.")
    job_poll_seconds: float = Field(default=1.0, gt=0, description="How often the worker polls for jobs, s.")
    log_level: str = Field(default="INFO", description="Python logging level.")
    # --- economy: ingest (docs/ingest.md) ----------------------------------------------------------
    ingest_amount_ceiling_idr: int = Field(
        default=100_000_000, ge=1, description="Largest accepted transaction amount, whole rupiah."
    )
    ingest_earliest_date: date = Field(
        default=date(2020, 1, 1), description="Transactions before this date (WIB) are rejected."
    )
    reporting_deadline_day: int = Field(
        default=10, ge=1, le=28, description="Day of the next month by which a bank's monthly report is due."
    )
    ingest_max_upload_mib: int = Field(default=2048, ge=1, description="Largest accepted upload, MiB.")
    ingest_max_error_rows: int = Field(
        default=50_000, ge=100, description="Row errors stored per batch (the count is always complete)."
    )
    ingest_memory_limit_mib: int = Field(
        default=1536, ge=256, description="DuckDB memory limit of one ingest, MiB (it spills beyond)."
    )
    # --- economy: metrics (docs/metrics.md, docs/index.md) ------------------------------------------
    metrics_habitual_min_weeks: int = Field(
        default=4, ge=1, le=5, description="Active ISO weeks in a month that make a merchant habitual."
    )
    metrics_version_check_seconds: float = Field(
        default=1.0,
        ge=0,
        description="How long the web app trusts its cached metrics version before asking the database "
        "again; a recompute shows on the pages at most this late.",
    )
    metrics_exact_payers_max_transactions: int = Field(
        default=50_000,
        ge=0,
        description="Largest kabupaten transaction count of a period whose unique payers are counted "
        "exactly; busier periods get a HyperLogLog estimate (docs/metrics.md).",
    )
    metrics_class_aktif_min_adoption: float = Field(
        default=50.0, ge=0, le=100, description="Adoption rate (%) from which an area is `aktif`."
    )
    metrics_class_berkembang_min_adoption: float = Field(
        default=20.0, ge=0, le=100, description="Adoption rate (%) from which an area is `berkembang`."
    )
    metrics_class_berkembang_min_trend_pp: float = Field(
        default=5.0,
        description="Rise of adoption (percentage points) that makes a started area `berkembang`.",
    )
    metrics_class_started_min_adoption: float = Field(
        default=0.0,
        ge=0,
        le=100,
        description="Adoption rate (%) above which an area has started (else `belum_mulai`).",
    )
    metrics_index_weights: dict[str, float] = Field(
        default={"enablers": 25.0, "supply": 15.0, "demand": 10.0, "usage": 45.0, "experience": 5.0},
        description="Index component weights (JSON object; 0 disables a component).",
    )
    metrics_index_goalposts: dict[str, tuple[float, float]] = Field(
        default={
            "registered_share": (0.0, 100.0),
            "registered_per_1000_adults": (0.0, 10.0),
            "payers_per_1000_adults": (0.0, 250.0),
            "adoption_rate": (0.0, 80.0),
            "habitual_share": (0.0, 100.0),
            "success_rate": (80.0, 100.0),
        },
        description="Index indicator goalposts `[low, high]` scored 0 and 100 (JSON object).",
    )

    @model_validator(mode="before")
    @classmethod
    def _read_secret_files(cls, data: Any) -> Any:
        """Fill ``X`` from the file named by ``SMARTKOTIM_X_FILE`` when ``X`` itself is not given."""
        if not isinstance(data, dict):
            return data
        for name in SECRET_FIELDS:
            path = os.environ.get(f"SMARTKOTIM_{name.upper()}_FILE")
            if path and not data.get(name) and not os.environ.get(f"SMARTKOTIM_{name.upper()}"):
                try:
                    data[name] = Path(path).read_text(encoding="utf-8").strip()
                except OSError as exc:
                    raise ValueError(f"SMARTKOTIM_{name.upper()}_FILE={path}: cannot read ({exc})") from exc
        return data

    @field_validator("regency_code")
    @classmethod
    def _check_regency(cls, value: str) -> str:
        if not _REGENCY_CODE.match(value):
            raise ValueError(f"{value!r} is not a Kemendagri kabupaten code like '62.02'")
        return value

    @field_validator("default_language")
    @classmethod
    def _check_language(cls, value: str) -> str:
        if value not in ("id", "en"):
            raise ValueError(f"{value!r} is not a supported language ('id' or 'en')")
        return value

    @property
    def sqlalchemy_url(self) -> str:
        """The state database URL, defaulting to the SQLite file in the data directory."""
        if self.database_url is not None and self.database_url.get_secret_value():
            return self.database_url.get_secret_value()
        return f"sqlite:///{(self.data_dir / 'smartkotim.db').resolve()}"

    @property
    def ledger_dir(self) -> Path:
        """Folder of the Delta Lake transaction ledger."""
        return self.data_dir / "ledger"

    @property
    def uploads_dir(self) -> Path:
        """Folder of kept (pseudonymised) uploads."""
        return self.data_dir / "uploads"


def load_settings(**overrides: Any) -> Settings:
    """Build and validate the settings from the environment plus ``overrides``.

    Raises:
        SettingsError: with one line per invalid variable (``SMARTKOTIM_PORT: ...``).
    """
    try:
        return Settings(**overrides)
    except ValidationError as exc:
        lines = [
            f"SMARTKOTIM_{'_'.join(str(p) for p in err['loc']).upper() or 'SETTINGS'}: {err['msg']}"
            for err in exc.errors()
        ]
        raise SettingsError("Invalid settings:\n" + "\n".join(lines)) from exc


def ensure_data_dir(settings: Settings) -> Path:
    """Create the data directory (and its sub-folders) if missing; return it."""
    for path in (settings.data_dir, settings.ledger_dir, settings.uploads_dir):
        path.mkdir(parents=True, exist_ok=True)
    return settings.data_dir


def secret_key(settings: Settings) -> str:
    """The installation's secret key: the configured one, else the one generated in the data directory.

    On first run a 256-bit random key is written to ``DATA_DIR/secret_key`` (mode 0600). There is no
    default key anywhere in the code.
    """
    if settings.secret_key is not None and settings.secret_key.get_secret_value():
        return settings.secret_key.get_secret_value()
    ensure_data_dir(settings)
    path = settings.data_dir / "secret_key"
    if not path.exists():
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:  # another process created it first: use theirs
            pass
        else:
            with os.fdopen(fd, "w", encoding="ascii") as handle:
                handle.write(secrets.token_urlsafe(32))
    key = path.read_text(encoding="ascii").strip()
    if len(key) < 32:
        raise SettingsError(f"{path}: secret key is shorter than 32 characters")
    return key
