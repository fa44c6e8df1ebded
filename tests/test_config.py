"""Settings: validation messages, ``*_FILE`` secrets, the generated secret key, nothing read at import."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from smartkotim.config import SECRET_FIELDS, Settings, SettingsError, load_settings, secret_key

SRC_DIR = Path(__file__).resolve().parents[1] / "src"


def _settings_error(**overrides: object) -> str:
    with pytest.raises(SettingsError) as info:
        load_settings(**overrides)
    return str(info.value)


@pytest.mark.parametrize(
    ("env_value", "variable"),
    [
        ("0", "SMARTKOTIM_PORT"),
        ("70000", "SMARTKOTIM_PORT"),
        ("delapan-ribu", "SMARTKOTIM_PORT"),
        ("", "SMARTKOTIM_PORT"),
    ],
)
def test_bad_port_from_the_environment_names_the_variable(
    monkeypatch: pytest.MonkeyPatch, env_value: str, variable: str
) -> None:
    monkeypatch.setenv(variable, env_value)
    message = _settings_error()
    assert f"{variable}:" in message


@pytest.mark.parametrize("code", ["6202", "62.2", "62.02.01", "Kotim", "62-02"])
def test_bad_regency_code_names_the_variable_and_the_value(
    monkeypatch: pytest.MonkeyPatch, code: str
) -> None:
    monkeypatch.setenv("SMARTKOTIM_REGENCY_CODE", code)
    message = _settings_error()
    assert "SMARTKOTIM_REGENCY_CODE:" in message
    assert repr(code) in message
    assert "62.02" in message  # the expected shape is shown


def test_every_invalid_variable_is_reported_at_once(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SMARTKOTIM_PORT", "-1")
    monkeypatch.setenv("SMARTKOTIM_DEFAULT_LANGUAGE", "fr")
    monkeypatch.setenv("SMARTKOTIM_SESSION_MAX_AGE_HOURS", "0")
    message = _settings_error()
    for variable in ("SMARTKOTIM_PORT", "SMARTKOTIM_DEFAULT_LANGUAGE", "SMARTKOTIM_SESSION_MAX_AGE_HOURS"):
        assert f"{variable}:" in message


def test_valid_environment_values_are_parsed(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("SMARTKOTIM_PORT", "8123")
    monkeypatch.setenv("SMARTKOTIM_REGENCY_CODE", "62.01")
    monkeypatch.setenv("SMARTKOTIM_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("SMARTKOTIM_RUN_WORKER", "false")
    settings = load_settings()
    assert settings.port == 8123
    assert settings.regency_code == "62.01"
    assert settings.data_dir == tmp_path / "data"
    assert settings.run_worker is False


def test_defaults_keep_all_state_under_var_with_sqlite(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.chdir(tmp_path)
    settings = load_settings()
    assert settings.data_dir == Path("var")
    assert settings.sqlalchemy_url == f"sqlite:///{tmp_path / 'var' / 'smartkotim.db'}"
    assert settings.ledger_dir == Path("var") / "ledger"
    assert settings.uploads_dir == Path("var") / "uploads"
    assert settings.secret_key is None  # no built-in default secret
    assert settings.database_url is None


def test_database_url_from_the_environment_wins_over_sqlite(monkeypatch: pytest.MonkeyPatch) -> None:
    url = "postgresql+psycopg://kotim:rahasia@db.example:5432/smartkotim"
    monkeypatch.setenv("SMARTKOTIM_DATABASE_URL", url)
    assert load_settings().sqlalchemy_url == url


@pytest.mark.parametrize("field", SECRET_FIELDS)
def test_secret_can_come_from_a_file(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, field: str) -> None:
    value = f"from-a-file-{field}-0123456789abcdefghijklmnopqrstuvwxyz"
    path = tmp_path / "secret.txt"
    path.write_text(value + "\n", encoding="utf-8")  # the trailing newline of `echo > file` is dropped
    monkeypatch.setenv(f"SMARTKOTIM_{field.upper()}_FILE", str(path))
    secret = getattr(load_settings(), field)
    assert secret is not None
    assert secret.get_secret_value() == value


@pytest.mark.parametrize("field", SECRET_FIELDS)
def test_direct_variable_wins_over_its_file(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, field: str
) -> None:
    path = tmp_path / "secret.txt"
    path.write_text("from-the-file-0123456789abcdefghijklmnopqrstuvwxyz", encoding="utf-8")
    monkeypatch.setenv(f"SMARTKOTIM_{field.upper()}_FILE", str(path))
    monkeypatch.setenv(f"SMARTKOTIM_{field.upper()}", "from-the-environment-0123456789abcdefghijklmnop")
    secret = getattr(load_settings(), field)
    assert secret.get_secret_value() == "from-the-environment-0123456789abcdefghijklmnop"


def test_unreadable_secret_file_names_the_file_variable(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    missing = tmp_path / "tidak-ada.txt"
    monkeypatch.setenv("SMARTKOTIM_SECRET_KEY_FILE", str(missing))
    message = _settings_error()
    assert "SMARTKOTIM_SECRET_KEY_FILE" in message
    assert str(missing) in message


def test_secrets_do_not_show_in_repr(tmp_path: Path) -> None:
    settings = load_settings(
        data_dir=tmp_path,
        secret_key="jangan-tampil-0123456789abcdefghijklmnopqrstuvwxyz",
        database_url="postgresql+psycopg://kotim:sandi-rahasia@db/smartkotim",
    )
    shown = repr(settings) + str(settings)
    assert "jangan-tampil" not in shown
    assert "sandi-rahasia" not in shown


def test_secret_key_is_generated_on_first_run_with_mode_0600_and_reused(tmp_path: Path) -> None:
    settings = load_settings(data_dir=tmp_path / "var")
    key = secret_key(settings)
    path = tmp_path / "var" / "secret_key"
    assert path.is_file()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert len(key) >= 32
    assert path.read_text(encoding="ascii").strip() == key
    assert secret_key(load_settings(data_dir=tmp_path / "var")) == key  # the next start reuses it


def test_two_fresh_data_dirs_get_different_keys(tmp_path: Path) -> None:
    first = secret_key(load_settings(data_dir=tmp_path / "one"))
    second = secret_key(load_settings(data_dir=tmp_path / "two"))
    assert first != second


def test_configured_secret_key_is_used_and_nothing_is_generated(tmp_path: Path) -> None:
    configured = "configured-key-0123456789abcdefghijklmnopqrstuvwxyz"
    settings = load_settings(data_dir=tmp_path / "var", secret_key=configured)
    assert secret_key(settings) == configured
    assert not (tmp_path / "var" / "secret_key").exists()


def test_a_truncated_key_file_is_refused(tmp_path: Path) -> None:
    data_dir = tmp_path / "var"
    data_dir.mkdir()
    (data_dir / "secret_key").write_text("pendek", encoding="ascii")
    with pytest.raises(SettingsError, match="shorter than 32"):
        secret_key(load_settings(data_dir=data_dir))


def test_create_app_without_a_secret_generates_the_key_file(tmp_path: Path) -> None:
    from smartkotim.web.app import create_app

    settings = load_settings(data_dir=tmp_path / "var")
    app = create_app(settings)
    assert app.state.settings is settings
    assert (tmp_path / "var" / "secret_key").is_file()


def _run_python(code: str, env_overrides: dict[str, str]) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SMARTKOTIM_")}
    env.update(env_overrides)
    env["PYTHONPATH"] = str(SRC_DIR)
    return subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120, check=False
    )


def test_nothing_is_read_at_import_time(tmp_path: Path) -> None:
    broken = {"SMARTKOTIM_PORT": "bukan-angka", "SMARTKOTIM_DATA_DIR": str(tmp_path / "var")}
    every_module = (
        "import importlib, smartkotim.web.app as web, smartkotim.cli as cli\n"
        "import smartkotim.models_registry as r\n"
        "for name in web.FEATURE_VIEWS: importlib.import_module(name)\n"
        "for name, _group in cli.FEATURE_COMMANDS: importlib.import_module(name)\n"
        "r.import_all()\n"
    )
    imported = _run_python(every_module, broken)
    assert imported.returncode == 0, imported.stderr
    assert not (tmp_path / "var").exists()  # importing creates no state either
    loaded = _run_python("from smartkotim.config import load_settings; load_settings()", broken)
    assert loaded.returncode != 0
    assert "SettingsError" in loaded.stderr
    assert "SMARTKOTIM_PORT" in loaded.stderr


def test_cli_reports_invalid_settings_without_a_traceback(tmp_path: Path) -> None:
    code = "import sys; sys.argv = ['smartkotim', 'db', 'upgrade']; from smartkotim.cli import main; main()"
    result = _run_python(code, {"SMARTKOTIM_PORT": "0", "SMARTKOTIM_DATA_DIR": str(tmp_path / "var")})
    assert result.returncode == 2
    output = result.stdout + result.stderr
    assert "SMARTKOTIM_PORT" in output
    assert "Traceback" not in output


def test_every_field_has_a_description_and_a_default() -> None:
    for name, field in Settings.model_fields.items():
        assert field.description, f"Settings.{name} has no description (Field(description=...))"
        assert not field.is_required(), f"Settings.{name} has no default"
