"""``smartkotim orgs|users|tokens …`` and the demo accounts: passwords shown once, never logged."""

from __future__ import annotations

import json
import logging
import re

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from smartkotim.accounts import login, queries
from smartkotim.accounts.commands import app
from smartkotim.accounts.demo import load_demo_accounts
from smartkotim.accounts.models import ApiToken, AuditEntry
from smartkotim.accounts.services import hash_token
from smartkotim.config import Settings
from smartkotim.runtime import Runtime, open_runtime

POLICY = login.LockoutPolicy(max_failures=5, lockout_minutes=15)


@pytest.fixture
def cli(settings: Settings, seeded: Session, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    """A runner whose commands open the test's database (through the ``SMARTKOTIM_*`` environment)."""
    assert settings.database_url is not None
    monkeypatch.setenv("SMARTKOTIM_DATABASE_URL", settings.database_url.get_secret_value())
    monkeypatch.setenv("SMARTKOTIM_DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("SMARTKOTIM_SECRET_KEY", "cli-test-secret-key-0123456789abcdefghij")
    return CliRunner()


def _ok(cli: CliRunner, *args: str, stdin: str | None = None) -> str:
    result = cli.invoke(app, list(args), input=stdin)
    assert result.exit_code == 0, result.output
    return result.output


def test_orgs_add_and_list(cli: CliRunner) -> None:
    _ok(cli, "orgs", "add", "--kind", "bank", "--code", "bpd-kalteng2", "--name", "Bank Kalteng Uji")
    rows = json.loads(_ok(cli, "orgs", "list", "--json"))
    assert {"code": "BPD-KALTENG2", "kind": "bank"}.items() <= next(
        r for r in rows if r["code"] == "BPD-KALTENG2"
    ).items()
    again = cli.invoke(app, ["orgs", "add", "--kind", "bank", "--code", "BPD-KALTENG2", "--name", "X"])
    assert again.exit_code == 1
    assert "sudah dipakai" in again.output


def test_users_add_prompts_twice_and_stores_only_a_hash(cli: CliRunner, seeded: Session) -> None:
    password = "kata sandi yang panjang"
    out = _ok(
        cli,
        "users",
        "add",
        "--role",
        "opd_officer",
        "--org",
        "DKUKMPP",
        "--username",
        "petugas",
        stdin=f"{password}\n{password}\n",
    )
    assert "petugas" in out
    user = queries.get_user_by_username(seeded, "petugas")
    assert user is not None
    assert password not in user.password_hash
    assert (
        login.authenticate(
            seeded,
            username="petugas",
            password=password,
            client_address="cli",
            policy=POLICY,
            by=login.Actor(label="t"),
        ).id
        == user.id
    )
    audit = seeded.scalars(select(AuditEntry).where(AuditEntry.event == "accounts.user.created")).one()
    assert audit.actor_label.startswith("cli:")


def test_generated_password_is_printed_once_and_not_logged(
    cli: CliRunner, seeded: Session, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    out = _ok(
        cli,
        "users",
        "add",
        "--role",
        "surveyor",
        "--org",
        "KEC-62.02.05",
        "--username",
        "surveyor.kec",
        "--region",
        "62.02.05",
        "--generate-password",
    )
    password = re.search(r"shown once\): (\S+)", out)
    assert password
    assert out.count(password.group(1)) == 1
    assert password.group(1) not in caplog.text
    rows = json.loads(_ok(cli, "users", "list", "--json"))
    assert [r["region_code"] for r in rows if r["username"] == "surveyor.kec"] == ["62.02.05"]


def test_create_admin_refuses_a_second_admin_without_force(
    cli: CliRunner, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    out = _ok(cli, "users", "create-admin")
    password = re.search(r"after logging in\): (\S+)", out)
    assert password
    assert password.group(1) not in caplog.text
    refused = cli.invoke(app, ["users", "create-admin", "--username", "admin2"])
    assert refused.exit_code == 1
    assert "--force" in refused.output
    _ok(cli, "users", "create-admin", "--username", "admin2", "--force")


def test_tokens_create_list_revoke(cli: CliRunner, seeded: Session) -> None:
    _ok(
        cli,
        "users",
        "add",
        "--role",
        "bank_partner",
        "--org",
        "BRI",
        "--username",
        "bank.bri",
        "--generate-password",
    )
    out = _ok(cli, "tokens", "create", "--user", "bank.bri", "--scope", "ingest", "--days", "30")
    raw = re.search(r"skt_[0-9a-f]+_[0-9a-f]{64}", out)
    assert raw
    row = seeded.scalars(select(ApiToken)).one()
    assert row.token_hash == hash_token(raw.group(0))
    assert row.scopes == ["ingest"]
    listed = json.loads(_ok(cli, "tokens", "list", "--json"))
    assert [(t["username"], t["status"]) for t in listed] == [("bank.bri", "active")]
    assert raw.group(0) not in json.dumps(listed)
    _ok(cli, "tokens", "revoke", str(row.id))
    assert json.loads(_ok(cli, "tokens", "list", "--json"))[0]["status"] == "revoked"
    assert cli.invoke(app, ["tokens", "create", "--user", "bank.bri", "--scope", "admin"]).exit_code == 1


def test_demo_accounts_print_fresh_passwords_each_run(
    cli: CliRunner, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    runtime = open_runtime()
    try:
        _check_demo_runs(runtime, caplog)
    finally:
        runtime.engine.dispose()


def _check_demo_runs(runtime: Runtime, caplog: pytest.LogCaptureFixture) -> None:
    runs: list[dict[str, str]] = []
    for _ in range(2):
        lines: list[str] = []
        load_demo_accounts(runtime, lines.append)
        runs.append(
            {m.group(1): m.group(3) for m in (re.match(r"\s+(\S+)\s+(\S+)\s+(\S+)$", x) for x in lines) if m}
        )
    assert set(runs[0]) == {"admin", "analis", "bupati", "dkukmpp", "bank.bri", "surveyor.baamang"}
    with runtime.session_factory() as session:
        for username, password in runs[1].items():
            assert password != runs[0][username]
            assert password not in caplog.text
            user = login.authenticate(
                session,
                username=username,
                password=password,
                client_address="demo",
                policy=POLICY,
                by=login.Actor(label="t"),
            )
            assert user.is_active
        roles = {u.username: (u.role, o.code, u.region_code) for u, o in queries.list_users(session)}
    assert roles["bank.bri"] == ("bank_partner", "BRI", None)
    assert roles["surveyor.baamang"] == ("surveyor", "DKUKMPP", "62.02.05")
    assert roles["bupati"][0] == "leader"


@pytest.mark.parametrize(("trusted", "proxy_headers"), [("", False), ("10.0.0.5, 10.0.0.6", True)])
def test_serve_trusts_forwarded_headers_only_from_configured_proxies(
    cli: CliRunner, monkeypatch: pytest.MonkeyPatch, trusted: str, proxy_headers: bool
) -> None:
    calls: list[dict[str, object]] = []
    monkeypatch.setattr("smartkotim.cli.uvicorn.run", lambda application, **kwargs: calls.append(kwargs))
    monkeypatch.setenv("SMARTKOTIM_RUN_WORKER", "false")
    monkeypatch.setenv("SMARTKOTIM_FORWARDED_ALLOW_IPS", trusted)
    from smartkotim.cli import app as main_app

    result = cli.invoke(main_app, ["serve"])
    assert result.exit_code == 0, result.output
    assert len(calls) == 1
    assert calls[0]["proxy_headers"] is proxy_headers
    assert calls[0]["forwarded_allow_ips"] == (trusted or None)
