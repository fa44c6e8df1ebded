"""The load half of ``bench/dashboard.py``: a real uvicorn server on loopback and concurrent clients.

The server runs ``smartkotim serve``'s app (``SMARTKOTIM_*`` settings from the environment) in
``--workers`` processes. The load generator is ``wrk`` (Debian package ``wrk``: C, epoll, one
keep-alive connection per client, latency percentiles from its own histogram) driven by a generated Lua
script that picks a random URL of the mix for every request; without ``wrk`` it falls back to
``aiohttp`` coroutines in this process, which cost the shared 2 cores several times more CPU per
request than the server's answer itself, so that figure measures the load generator as much as the
server. Clients send ``Accept-Encoding: gzip`` as browsers do.
"""

from __future__ import annotations

import asyncio
import os
import random
import re
import shutil
import socket
import subprocess
import sys
import time
from typing import Any

import numpy as np

MAP_METRICS = ("adoption_rate", "transactions", "value", "index", "unique_payers")


def free_port() -> int:
    """A free TCP port on 127.0.0.1."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _die_with_parent() -> None:
    """In the server's process: get SIGTERM when the benchmark dies (Linux ``PR_SET_PDEATHSIG``)."""
    import ctypes
    import signal

    ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)


def start_server(data_dir: str, database_url: str, port: int, workers: int) -> subprocess.Popen[bytes]:
    """``smartkotim serve`` (``workers`` processes, no job worker, access log off) on
    127.0.0.1:``port``; waits until it answers."""
    env = {**os.environ, "SMARTKOTIM_DATA_DIR": data_dir, "SMARTKOTIM_DATABASE_URL": database_url}
    env["SMARTKOTIM_RUN_WORKER"] = "false"
    command = [sys.executable, "-m", "smartkotim.cli", "serve", "--host", "127.0.0.1"]
    command += ["--port", str(port), "--workers", str(workers), "--no-access-log"]
    server = subprocess.Popen(command, env=env, preexec_fn=_die_with_parent)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return server
        except OSError:
            time.sleep(0.2)
    server.kill()
    raise RuntimeError("the server did not start within 60 s")


def stop_server(server: subprocess.Popen[bytes]) -> None:
    """SIGTERM, then SIGKILL after 10 s."""
    server.terminate()
    try:
        server.wait(timeout=10)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()


async def _log_in(base: str, username: str, password: str) -> dict[str, str]:
    import aiohttp

    # unsafe=True: accept cookies from an IP address (127.0.0.1); aiohttp drops them by default
    async with aiohttp.ClientSession(base, cookie_jar=aiohttp.CookieJar(unsafe=True)) as client:
        async with client.get("/masuk") as page:
            token = re.search(r'<meta name="csrf-token" content="([^"]+)">', await page.text())
        assert token, "no CSRF token on the login page"
        form = {"username": username, "password": password, "csrf_token": token.group(1), "next": "/"}
        async with client.post("/masuk", data=form, allow_redirects=False) as answer:
            assert answer.status == 303, (await answer.text())[:300]
        return {cookie.key: cookie.value for cookie in client.cookie_jar}


def log_in(base: str, username: str, password: str) -> dict[str, str]:
    """Log ``username`` in through the login form; return the session cookies."""
    return asyncio.run(_log_in(base, username, password))


def query_mix(months: list[str], rng: random.Random) -> str:
    """One request of the mix: metrics or map API, kecamatan or desa, a random month (and metric)."""
    level = rng.choice(("kecamatan", "desa"))
    month = rng.choice(months)
    if rng.random() < 0.5:
        return f"/api/economy/metrics?level={level}&period={month}"
    return f"/api/economy/map?level={level}&period={month}&metric={rng.choice(MAP_METRICS)}"


def every_query(months: list[str]) -> list[str]:
    """Every distinct URL of the mix (for the warm-up pass)."""
    urls = []
    for level in ("kecamatan", "desa"):
        for month in months:
            urls.append(f"/api/economy/metrics?level={level}&period={month}")
            urls += [f"/api/economy/map?level={level}&period={month}&metric={m}" for m in MAP_METRICS]
    return urls


def _cookie_header(cookies: dict[str, str]) -> dict[str, str]:
    return {"Cookie": "; ".join(f"{k}={v}" for k, v in cookies.items())}


async def _warm_up(base: str, cookies: dict[str, str], urls: list[str], rounds: int) -> list[float]:
    import aiohttp

    cold = []
    # a new connection per request when there are several server processes: each may get any of them
    connector = aiohttp.TCPConnector(force_close=rounds > 1)
    async with aiohttp.ClientSession(base, headers=_cookie_header(cookies), connector=connector) as client:
        for _ in range(rounds):
            for url in urls:
                t0 = time.perf_counter()
                async with client.get(url) as response:
                    await response.read()
                    assert response.status == 200, url
                cold.append((time.perf_counter() - t0) * 1000)
    return cold


def warm_up(base: str, cookies: dict[str, str], urls: list[str], workers: int) -> tuple[float, list[float]]:
    """Request every URL once, or ``3 × workers`` times on new connections when there are several
    server processes (each builds and caches each response itself, and a new connection may land on
    any of them); ``(seconds, ms of each request)``."""
    started = time.perf_counter()
    cold = asyncio.run(_warm_up(base, cookies, urls, 1 if workers == 1 else 3 * workers))
    return time.perf_counter() - started, cold


async def drive(
    base: str, cookies: dict[str, str], months: list[str], clients: int, seconds: float
) -> dict[str, Any]:
    """``clients`` concurrent clients (one keep-alive connection each) for ``seconds``; latencies in ms."""
    import aiohttp

    latencies: list[float] = []
    errors: list[str] = []
    deadline = time.monotonic() + seconds

    async def client_loop(seed: int, client: aiohttp.ClientSession) -> None:
        rng = random.Random(seed)
        while time.monotonic() < deadline:
            url = query_mix(months, rng)
            started = time.perf_counter()
            try:
                async with client.get(url) as response:
                    await response.read()
                    if response.status != 200:
                        errors.append(f"{response.status} {url}")
            except (TimeoutError, aiohttp.ClientError) as exc:
                errors.append(f"{type(exc).__name__} {url}")
            latencies.append((time.perf_counter() - started) * 1000)

    connector = aiohttp.TCPConnector(limit=clients)
    timeout = aiohttp.ClientTimeout(total=30)
    started = time.monotonic()
    async with aiohttp.ClientSession(
        base, headers=_cookie_header(cookies), connector=connector, timeout=timeout
    ) as client:
        await asyncio.gather(*(client_loop(i, client) for i in range(clients)))
    elapsed = time.monotonic() - started
    return {"latencies": latencies, "errors": errors, "elapsed": elapsed}


WRK_SCRIPT = """
local paths = {%(paths)s}
wrk.headers["Cookie"] = "%(cookie)s"
wrk.headers["Accept-Encoding"] = "gzip"
local counter = 0
setup = function(thread)
  counter = counter + 1
  thread:set("seed", counter)
end
init = function(args)
  math.randomseed(seed * 7919)
end
request = function()
  return wrk.format("GET", paths[math.random(#paths)])
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "WRK-JSON {\\"requests\\": %%d, \\"duration_us\\": %%d, \\"p50_us\\": %%d, \\"p95_us\\": %%d, "
    .. "\\"p99_us\\": %%d, \\"max_us\\": %%d, \\"errors\\": %%d}\\n",
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(95),
    latency:percentile(99), latency.max, e.connect + e.read + e.write + e.status + e.timeout))
end
"""


def mix_paths(months: list[str]) -> list[str]:
    """The URLs of ``every_query`` weighted like ``query_mix``: half metrics, half map requests."""
    out = []
    for url in every_query(months):
        out += [url] * (len(MAP_METRICS) if url.startswith("/api/economy/metrics") else 1)
    return out


def drive_wrk(
    base: str, cookies: dict[str, str], months: list[str], clients: int, seconds: float
) -> dict[str, Any]:
    """``wrk`` with ``clients`` connections on 2 threads for ``seconds``: requests, percentiles, errors."""
    import json
    import tempfile

    paths = ", ".join(f'"{p}"' for p in mix_paths(months))
    cookie = "; ".join(f"{k}={v}" for k, v in cookies.items())
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(WRK_SCRIPT % {"paths": paths, "cookie": cookie})
    command = [
        "wrk",
        "-t2",
        f"-c{clients}",
        f"-d{int(seconds)}s",
        "--timeout",
        "30s",
        "-s",
        script.name,
        base,
    ]
    out = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    os.unlink(script.name)
    line = next(x for x in out.splitlines() if x.startswith("WRK-JSON "))
    return dict(json.loads(line.removeprefix("WRK-JSON ")))


def percentiles(values: list[float]) -> dict[str, float]:
    """p50/p95/p99 in ms (0 for no values)."""
    if not values:
        return {"p50_ms": 0.0, "p95_ms": 0.0, "p99_ms": 0.0}
    arr = np.asarray(values)
    return {f"p{q}_ms": round(float(np.percentile(arr, q)), 2) for q in (50, 95, 99)}


def run_load(
    *,
    data_dir: str,
    database_url: str,
    login: tuple[str, str],
    months: list[str],
    clients: int,
    seconds: float,
    workers: int,
) -> dict[str, Any]:
    """Start the server, log in, warm it up, drive it; always stop the server."""
    port = free_port()
    server = start_server(data_dir, database_url, port, workers)
    try:
        base = f"http://127.0.0.1:{port}"
        cookies = log_in(base, *login)
        warm_s, cold = warm_up(base, cookies, every_query(months), workers)
        print(
            f"warm-up: {len(cold)} requests in {warm_s:.1f} s "
            f"(p50 {np.percentile(cold, 50):.0f} ms, max {max(cold):.0f} ms)",
            flush=True,
        )
        warm = {"warm_up_s": warm_s, "cold_p50_ms": float(np.percentile(cold, 50))}
        if shutil.which("wrk"):
            found = drive_wrk(base, cookies, months, clients, seconds)
            stats = {f"p{q}_ms": round(found[f"p{q}_us"] / 1000, 2) for q in (50, 95, 99)}
            elapsed = found["duration_us"] / 1e6
            return (
                warm
                | stats
                | {
                    "generator": "wrk",
                    "requests": found["requests"],
                    "requests_per_s": found["requests"] / elapsed,
                    "errors": found["errors"],
                    "error_samples": [],
                }
            )
        result = asyncio.run(drive(base, cookies, months, clients, seconds))
        latencies = result["latencies"]
        return (
            warm
            | percentiles(latencies)
            | {
                "generator": "aiohttp",
                "requests": len(latencies),
                "requests_per_s": len(latencies) / result["elapsed"],
                "errors": len(result["errors"]),
                "error_samples": result["errors"][:5],
            }
        )
    finally:
        stop_server(server)
