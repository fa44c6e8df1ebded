"""``smartkotim serve --workers N``: several web processes, and exactly one job worker (in the parent)
that knows every job kind."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx2 as httpx

from smartkotim.db import make_engine, make_session_factory
from smartkotim.jobs import JOB_KINDS, Job, enqueue_job, load_job_kinds

SECRET = "serve-test-secret-key-that-is-long-enough-0123456789"
KINDS_SCRIPT = "import smartkotim.jobs as j; {load}; print(' '.join(sorted(j.JOB_KINDS)))"


def _kinds(load: str) -> set[str]:
    out = subprocess.run(
        [sys.executable, "-c", KINDS_SCRIPT.format(load=load)], capture_output=True, text=True
    )
    assert out.returncode == 0, out.stderr
    return set(out.stdout.split())


def test_the_worker_loads_every_kind_the_web_app_registers() -> None:
    with_app = _kinds(
        "from smartkotim.web.app import FEATURE_VIEWS; import importlib; "
        "[importlib.import_module(m) for m in FEATURE_VIEWS]"
    )
    alone = _kinds("j.load_job_kinds()")
    assert with_app and alone == with_app


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _children(pid: int) -> list[int]:
    text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    return [int(p) for p in text.split()]


def test_serve_with_two_workers_answers_and_runs_jobs_once(tmp_path: Path) -> None:
    port = _free_port()
    env = {**os.environ, "SMARTKOTIM_DATA_DIR": str(tmp_path / "var"), "SMARTKOTIM_SECRET_KEY": SECRET}
    env["SMARTKOTIM_JOB_POLL_SECONDS"] = "0.2"
    command = [sys.executable, "-m", "smartkotim.cli", "serve", "--port", str(port), "--workers", "2"]
    server = subprocess.Popen([*command, "--no-access-log"], env=env)
    try:
        deadline = time.monotonic() + 60
        status = None
        while time.monotonic() < deadline and status != 200:
            try:
                status = httpx.get(f"http://127.0.0.1:{port}/health", timeout=2).status_code
            except httpx.HTTPError:
                time.sleep(0.3)
        assert status == 200
        assert len(_children(server.pid)) >= 2  # the web processes
        engine = make_engine(f"sqlite:///{tmp_path / 'var' / 'smartkotim.db'}")
        load_job_kinds()
        assert "economy.metrics.recompute" in JOB_KINDS
        with make_session_factory(engine)() as session:
            job = enqueue_job(session, kind="economy.metrics.recompute", payload={})
            session.commit()
            job_id = job.id
            while time.monotonic() < deadline:
                session.expire_all()
                found = session.get(Job, job_id)
                if found is not None and found.status in ("succeeded", "failed"):
                    break
                time.sleep(0.2)
            assert found is not None and found.status == "succeeded", found and found.message
            assert found.attempts == 1
        engine.dispose()
    finally:
        server.terminate()
        server.wait(timeout=20)
