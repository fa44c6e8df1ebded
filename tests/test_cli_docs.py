"""``docs/cli.md`` is the reference generated from the Typer app and must match the code."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "cli.md"


@pytest.fixture(scope="module")
def generated() -> str:
    """The reference as ``make docs`` writes it, made in a fresh interpreter (clean command registry)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("SMARTKOTIM_")}
    env["PYTHONPATH"] = str(ROOT / "src")
    result = subprocess.run(
        [sys.executable, "-m", "smartkotim.cli_docs"],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_cli_reference_is_up_to_date(generated: str) -> None:
    assert DOC.read_text(encoding="utf-8") == generated, "docs/cli.md is out of date: run `make docs`"


def test_cli_reference_covers_every_command_group(generated: str) -> None:
    for command in ("smartkotim init", "smartkotim serve", "smartkotim worker", "smartkotim db upgrade"):
        assert f"## `{command}`" in generated
    assert "## `smartkotim regions`" in generated
    assert "## `smartkotim demo load`" in generated
