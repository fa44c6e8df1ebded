"""Every Indonesian interface string has an English translation, and the catalogues are well formed.

Strings are collected from: each template's ``_("literal")`` calls; each Python ``_("…")``,
``N_("…")`` or ``translate("…", …)`` call with a literal; the navigation (``NAV``), the six dimensions
and the error titles. A failure lists each missing string with the file it comes from: add it to
``src/smartkotim/web/locales/en/<feature>.json``.

Run ``python tests/test_i18n_catalogue.py`` to list catalogue entries that nothing uses any more.
"""

from __future__ import annotations

import ast
import json
import string
from collections import defaultdict
from pathlib import Path

import pytest
from jinja2 import Environment, nodes

from smartkotim.web import errors
from smartkotim.web.dimensions import DIMENSIONS
from smartkotim.web.i18n import LOCALES_DIR, catalogue
from smartkotim.web.navigation import NAV

PACKAGE_DIR = Path(__file__).resolve().parents[1] / "src" / "smartkotim"
PY_MARKERS = frozenset({"_", "N_", "translate"})


def template_files() -> list[Path]:
    """Every Jinja template of the package (any ``templates`` folder, any depth)."""
    return sorted(
        p for p in PACKAGE_DIR.rglob("templates/**/*") if p.is_file() and p.suffix in (".html", ".txt")
    )


def template_strings(path: Path) -> set[str]:
    """The literal arguments of ``_()`` calls in one template."""
    tree = Environment().parse(path.read_text(encoding="utf-8"), name=str(path))
    found: set[str] = set()
    for call in tree.find_all(nodes.Call):
        if isinstance(call.node, nodes.Name) and call.node.name == "_" and call.args:
            first = call.args[0]
            if isinstance(first, nodes.Const) and isinstance(first.value, str):
                found.add(first.value)
    return found


def python_strings(path: Path) -> set[str]:
    """The literal first arguments of ``_()``, ``N_()`` and ``translate()`` calls in one module."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if not isinstance(node, ast.Call) or not node.args:
            continue
        func = node.func
        name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""
        first = node.args[0]
        if name in PY_MARKERS and isinstance(first, ast.Constant) and isinstance(first.value, str):
            found.add(first.value)
    return found


def registry_strings() -> dict[str, set[str]]:
    """Strings that Python structures hand to ``{{ _(…) }}`` in the layout and shell templates."""
    nav = {item.label for item in NAV} | {item.group for item in NAV}
    dims: set[str] = set()
    for dimension in DIMENSIONS.values():
        dims |= {dimension.summary, *dimension.elements, *(label for label, _url in dimension.links)}
    return {
        "web/navigation.py NAV": nav,
        "web/dimensions.py DIMENSIONS": dims,
        "web/errors.py TITLES": set(errors.TITLES.values()),
    }


def all_source_strings() -> dict[str, set[str]]:
    """``{origin: strings}`` for every place an Indonesian interface string comes from."""
    sources: dict[str, set[str]] = {}
    for path in template_files():
        sources[str(path.relative_to(PACKAGE_DIR))] = template_strings(path)
    for path in sorted(PACKAGE_DIR.rglob("*.py")):
        if "migrations" not in path.parts:
            sources[str(path.relative_to(PACKAGE_DIR))] = python_strings(path)
    sources.update(registry_strings())
    return {origin: strings for origin, strings in sources.items() if strings}


def _no_duplicate_keys(pairs: list[tuple[str, object]]) -> dict[str, object]:
    keys = [key for key, _value in pairs]
    duplicates = sorted({key for key in keys if keys.count(key) > 1})
    if duplicates:
        raise ValueError(f"duplicate keys: {duplicates}")
    return dict(pairs)


def catalogue_files() -> list[Path]:
    return sorted(LOCALES_DIR.glob("*/*.json"))


def test_there_are_templates_and_catalogues_to_check() -> None:
    assert template_files(), "no templates found: the collector is broken"
    assert catalogue_files(), "no catalogue files found"
    assert "Beranda" in template_strings(PACKAGE_DIR / "web" / "templates" / "web" / "home.html")


def test_every_interface_string_has_an_english_translation() -> None:
    english = catalogue("en")
    missing: dict[str, list[str]] = defaultdict(list)
    for origin, strings in all_source_strings().items():
        for text in sorted(strings):
            if text not in english:
                missing[origin].append(text)
    report = "\n".join(f"  {origin}: {text!r}" for origin, texts in sorted(missing.items()) for text in texts)
    assert not missing, f"strings without an English entry in web/locales/en/*.json:\n{report}"


@pytest.mark.parametrize("path", catalogue_files(), ids=lambda p: f"{p.parent.name}/{p.name}")
def test_catalogue_file_is_a_flat_json_object_without_duplicate_keys(path: Path) -> None:
    data = json.loads(path.read_text(encoding="utf-8"), object_pairs_hook=_no_duplicate_keys)
    assert isinstance(data, dict)
    for source, target in data.items():
        assert isinstance(target, str), f"{path.name}: {source!r} must map to a string"
        assert source.strip() and target.strip(), f"{path.name}: empty entry {source!r} -> {target!r}"


def _fields(text: str) -> set[str]:
    return {field for _lit, field, _spec, _conv in string.Formatter().parse(text) if field is not None}


def test_translations_keep_the_placeholders_of_the_source() -> None:
    wrong = {
        source: target for source, target in catalogue("en").items() if _fields(source) != _fields(target)
    }
    assert not wrong, f"placeholders differ between source and translation: {wrong}"


def test_catalogue_files_do_not_contradict_each_other() -> None:
    catalogue.cache_clear()
    try:
        merged = catalogue("en")  # raises when two files translate one text differently
    finally:
        catalogue.cache_clear()
    assert len(merged) >= 1


def test_collector_finds_python_marked_strings(tmp_path: Path) -> None:
    module = tmp_path / "sample.py"
    module.write_text('x = N_("Satu")\ny = _("Dua")\nz = translate("Tiga", "en")\nw = _(variable)\n')
    assert python_strings(module) == {"Satu", "Dua", "Tiga"}
    template = tmp_path / "sample.html"
    template.write_text('{{ _("Empat") }} {{ _(name) }} {{ _("Lima")|upper }} {{ other("Enam") }}')
    assert template_strings(template) == {"Empat", "Lima"}


def unused_entries() -> list[str]:
    """Catalogue entries no collected source uses (a report, not a test: dynamic keys exist)."""
    used = set().union(*all_source_strings().values())
    return sorted(set(catalogue("en")) - used)


if __name__ == "__main__":
    for entry in unused_entries():
        print(entry)
