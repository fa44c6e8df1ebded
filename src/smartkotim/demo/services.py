"""``load_demo``: runs each feature's demo loader in order.

A loader is ``(runtime, report) -> None``; ``report`` prints a line on the console of whoever runs
``smartkotim demo load`` (the only place demo passwords are shown). Features append to ``DEMO_LOADERS``
in dependency order (regions, accounts, economy …).
"""

from __future__ import annotations

from collections.abc import Callable

from smartkotim.runtime import Runtime

Report = Callable[[str], None]
DemoLoader = Callable[[Runtime, Report], None]


def _regions_loader(runtime: Runtime, report: Report) -> None:
    from smartkotim.regions.services import load_register

    with runtime.session_factory() as session:
        count = load_register(session, regency_code=runtime.settings.regency_code)
    report(f"Register wilayah: {count} wilayah ({runtime.settings.regency_code}).")


DEMO_LOADERS: list[tuple[str, str]] = [
    # (name, "module:function") — imported lazily so a feature's demo code loads only when used.
    ("regions", "smartkotim.demo.services:_regions_loader"),
    ("accounts", "smartkotim.accounts.demo:load_demo_accounts"),
    ("economy", "smartkotim.demo.economy:load_demo_economy"),
]


def load_demo(runtime: Runtime, report: Report) -> None:
    """Run every registered demo loader in order."""
    import importlib

    for _name, target in DEMO_LOADERS:
        module_name, function_name = target.split(":")
        loader: DemoLoader = getattr(importlib.import_module(module_name), function_name)
        loader(runtime, report)
