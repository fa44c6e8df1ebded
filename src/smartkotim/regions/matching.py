"""Matching the features of a boundary file to the region register of one level.

Passes, each only over what is still unmatched, so a weaker method never takes a region that a
stronger one already gave to another feature:

1. ``code``: Kemendagri code (with or without dots; BPS and Kemendagri agree at kabupaten level).
   Codes of another kabupaten, of another level, unreadable codes and duplicate codes are errors.
2. ``name``: exact normalised name within the parent (the kecamatan from the code prefix or from the
   spatial containment done by the caller). BPS desa/kecamatan codes are numbered differently from
   Kemendagri, so BPS features are matched by name; siblings sharing a BPS kecamatan code lend each
   other their parent (``bps_siblings``).
3. ``name_variant``: one alternative of a slash name (``Baamang Hulu/Tengah``).
4. ``name_fuzzy``: similarity ≥ ``ACCEPT`` and ahead of the runner-up by ``MARGIN``; anything weaker
   is reported as ambiguous/low-confidence with its candidates, never guessed.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import geopandas as gpd

from smartkotim.lib.geo_names import CodeSystem, ParsedCode, name_similarity, name_variants, parse_region_code
from smartkotim.regions.errors import BoundaryImportError
from smartkotim.regions.import_fields import LEVEL_DEPTH, FileFields

ACCEPT = 0.85
MARGIN = 0.05
SUGGEST = 0.70


@dataclass(frozen=True, slots=True)
class RegisterEntry:
    """One region of the import level: code, name and parent code."""

    code: str
    name: str
    parent_code: str | None

    @property
    def variants(self) -> list[str]:
        return name_variants(self.name)


@dataclass(slots=True)
class FeatureRef:
    """What the matcher knows about one feature (index = 0-based file position)."""

    index: int
    source_code: str | None
    source_name: str | None
    parsed: ParsedCode | None = None
    variants: list[str] = field(default_factory=list)
    parent: str | None = None
    parent_method: str | None = None


@dataclass(frozen=True, slots=True)
class Match:
    """A feature matched to a register code, how (``code``, ``name``…) and how surely (0–1)."""

    feature: int
    code: str
    method: str
    score: float


def _text(value: object) -> str | None:
    if value is None or (isinstance(value, float) and value != value):
        return None
    text = str(value).strip()
    return text or None


class Matcher:
    """Matches one file's features to ``entries``; read ``matches`` and ``report()`` afterwards."""

    def __init__(
        self,
        frame: gpd.GeoDataFrame,
        fields: FileFields,
        entries: list[RegisterEntry],
        *,
        file_name: str,
        regency_code: str,
        spatial_parents: dict[int, str],
    ) -> None:
        self.file_name = file_name
        self.fields = fields
        self.regency_digits = regency_code.replace(".", "")
        self.entries = {e.code: e for e in entries}
        self.features = [self._feature(i, row, fields) for i, row in enumerate(frame.to_dict("records"))]
        for index, parent in spatial_parents.items():
            self.features[index].parent, self.features[index].parent_method = parent, "spatial"
        self.matches: dict[int, Match] = {}
        self.claimed: dict[str, int] = {}
        self.ambiguous: dict[int, dict[str, Any]] = {}
        self.unmatched: dict[int, str] = {}
        self.duplicates: list[dict[str, Any]] = []
        self.code_system: CodeSystem | None = None

    @staticmethod
    def _feature(index: int, row: dict[str, Any], fields: FileFields) -> FeatureRef:
        code = _text(row.get(fields.code_field)) if fields.code_field else None
        name = _text(row.get(fields.name_field)) if fields.name_field else None
        return FeatureRef(index, code, name, variants=name_variants(name) if name else [])

    # --- pass 1: codes ----------------------------------------------------------------------------

    def _error(self, feature: FeatureRef, rule: str) -> BoundaryImportError:
        return BoundaryImportError(
            self.file_name,
            rule,
            feature=feature.index,
            field=self.fields.code_field,
            value=feature.source_code,
        )

    def _parse_codes(self) -> None:
        depth = LEVEL_DEPTH[self.fields.level]
        seen: dict[str, int] = {}
        for f in self.features:
            if f.source_code is None:
                continue
            f.parsed = parse_region_code(f.source_code)
            if f.parsed is None or f.parsed.depth < 2:
                raise self._error(
                    f, "not a region code (Kemendagri like 62.02.01.2003, BPS like id6202020005)"
                )
            if f.parsed.regency_digits != self.regency_digits:
                raise self._error(
                    f, f"code of another kabupaten/kota: outside the regency {self.regency_digits}"
                )
            if f.parsed.depth != depth:
                raise self._error(
                    f, f"a code of depth {f.parsed.depth}, but the import level is {self.fields.level}"
                )
            if f.parsed.digits in seen:
                raise self._error(f, f"duplicate code: feature {seen[f.parsed.digits]} has the same code")
            seen[f.parsed.digits] = f.index

    def _decide_system(self) -> CodeSystem:
        """Kemendagri unless most undotted 10-digit codes are not Kemendagri codes of the register."""
        open_codes = [f.parsed for f in self.features if f.parsed is not None and f.parsed.system is None]
        if not open_codes:
            systems = {f.parsed.system for f in self.features if f.parsed is not None}
            return CodeSystem.BPS if systems == {CodeSystem.BPS} else CodeSystem.KEMENDAGRI
        known = sum(p.as_kemendagri() in self.entries for p in open_codes)
        return CodeSystem.KEMENDAGRI if known >= 0.5 * len(open_codes) else CodeSystem.BPS

    def match_codes(self) -> None:
        """Pass 1. Raises ``BoundaryImportError`` for bad, foreign, wrong-level or duplicate codes."""
        self._parse_codes()
        if any(f.parsed is not None for f in self.features):
            self.code_system = self._decide_system()
        for f in self.features:
            p = f.parsed
            if p is None:
                continue
            system = p.system or self.code_system
            if system is CodeSystem.BPS and p.depth > 2:
                continue  # numbered differently from Kemendagri: matched by name below
            code = p.as_kemendagri()
            if code in self.entries:
                self._claim(f, code, "code", 1.0)
                continue
            self.unmatched[f.index] = f"code {code} is not in the register"
            if p.depth == 4:
                f.parent, f.parent_method = code.rsplit(".", 1)[0], "code"

    # --- passes 2–4: names ------------------------------------------------------------------------

    def _claim(self, f: FeatureRef, code: str, method: str, score: float) -> None:
        self.matches[f.index] = Match(f.index, code, method, round(score, 3))
        self.claimed[code] = f.index
        self.unmatched.pop(f.index, None)
        self.ambiguous.pop(f.index, None)

    def _pending(self) -> list[FeatureRef]:
        taken = {i for d in self.duplicates for i in d["features"]}
        return [
            f for f in self.features if f.index not in self.matches and f.variants and f.index not in taken
        ]

    def _candidates(self, f: FeatureRef, fits: Callable[[RegisterEntry], bool]) -> list[RegisterEntry]:
        """Entries that fit, within the feature's parent; the whole level when a spatial parent finds none."""
        inside = [
            e for e in self.entries.values() if (f.parent is None or e.parent_code == f.parent) and fits(e)
        ]
        if inside or f.parent_method in (None, "code"):
            return inside
        return [e for e in self.entries.values() if fits(e)]

    def _note_ambiguous(
        self, f: FeatureRef, candidates: list[tuple[float, RegisterEntry]], reason: str
    ) -> None:
        self.ambiguous[f.index] = {
            "reason": reason,
            "candidates": [{"code": e.code, "name": e.name, "score": round(s, 3)} for s, e in candidates[:3]],
        }

    def _resolve(self, proposals: dict[int, tuple[RegisterEntry, float]], method: str) -> None:
        by_code: dict[str, list[int]] = {}
        for index, (entry, _) in proposals.items():
            by_code.setdefault(entry.code, []).append(index)
        for code, indices in by_code.items():
            if len(indices) == 1:
                self._claim(self.features[indices[0]], code, method, proposals[indices[0]][1])
            else:
                self._duplicate(indices, self.entries[code])

    def _duplicate(self, indices: list[int], entry: RegisterEntry, kept: int | None = None) -> None:
        self.duplicates.append(
            {"features": sorted(indices), "code": entry.code, "name": entry.name, "matched_feature": kept}
        )
        for i in indices:
            self.ambiguous.pop(i, None)

    def match_names(self, *, variants: bool) -> None:
        """Pass 2 (exact normalised name) or 3 (slash-name alternatives)."""
        proposals: dict[int, tuple[RegisterEntry, float]] = {}
        for f in self._pending():
            keys = set(f.variants[1:] if variants else f.variants[:1])
            if not keys:
                continue

            def fits(e: RegisterEntry, keys: set[str] = keys) -> bool:
                return bool(keys & set(e.variants if variants else e.variants[:1]))

            found = self._candidates(f, fits)
            free = [e for e in found if e.code not in self.claimed]
            if len(free) == 1:
                proposals[f.index] = (free[0], 1.0)
            elif len(free) > 1:
                self._note_ambiguous(f, [(1.0, e) for e in free], "the name fits several regions")
            elif found and not variants:
                kept = self.claimed[found[0].code]
                self._duplicate([f.index, kept], found[0], kept)
        self._resolve(proposals, "name_variant" if variants else "name")

    def infer_bps_parents(self) -> None:
        """Give unmatched BPS desa the parent shared by their matched siblings (same BPS kecamatan code)."""
        parents: dict[str, Counter[str]] = {}
        for f in self.features:
            m = self.matches.get(f.index)
            if m is not None and f.parsed is not None and f.parsed.depth == 4:
                parent = self.entries[m.code].parent_code or ""
                parents.setdefault(f.parsed.digits[:7], Counter())[parent] += 1
        for f in self._pending():
            counts = parents.get(f.parsed.digits[:7]) if f.parsed is not None else None
            if counts and len(counts) == 1 and sum(counts.values()) >= 2 and f.parent_method != "code":
                f.parent, f.parent_method = next(iter(counts)), "bps_siblings"

    def match_fuzzy(self) -> None:
        """Pass 4: small spelling differences, accepted only when clearly ahead of every other name."""
        proposals: dict[int, tuple[RegisterEntry, float]] = {}
        for f in self._pending():
            if f.index in self.ambiguous:
                continue  # the exact name fits several regions: similarity cannot decide
            pool = self._candidates(f, lambda e: e.code not in self.claimed)
            scored = sorted(
                ((max(name_similarity(a, b) for a in f.variants for b in e.variants), e) for e in pool),
                key=lambda pair: (-pair[0], pair[1].code),
            )
            best = scored[0][0] if scored else 0.0
            second = scored[1][0] if len(scored) > 1 else 0.0
            if best >= ACCEPT and best - second >= MARGIN:
                proposals[f.index] = (scored[0][1], best)
            elif best >= SUGGEST:
                self._note_ambiguous(f, scored, "low-confidence name match: check and correct the name")
            elif f.index not in self.ambiguous:
                self.unmatched.setdefault(f.index, "no register name similar enough")
        self._resolve(proposals, "name_fuzzy")

    def run(self) -> None:
        """All passes in order."""
        self.match_codes()
        self.match_names(variants=False)
        self.infer_bps_parents()
        self.match_names(variants=False)
        self.match_names(variants=True)
        self.match_fuzzy()

    # --- report -------------------------------------------------------------------------------------

    def _source(self, index: int) -> dict[str, Any]:
        f = self.features[index]
        return {"feature": index, "source_code": f.source_code, "source_name": f.source_name}

    def report(self) -> dict[str, Any]:
        """The match report: matched (with method), unmatched on both sides, ambiguous, duplicates."""
        in_duplicates = {i for d in self.duplicates for i in d["features"]}
        matched = []
        for index, m in sorted(self.matches.items()):
            entry = self.entries[m.code]
            parent_method = self.features[index].parent_method
            row = {**self._source(index), "code": m.code, "name": entry.name, "method": m.method}
            matched.append({**row, "score": m.score, "parent_method": parent_method})
        unmatched = [
            {**self._source(f.index), "reason": self.unmatched.get(f.index, "no code and no name")}
            for f in self.features
            if f.index not in self.matches and f.index not in self.ambiguous and f.index not in in_duplicates
        ]
        return {
            "matched": matched,
            "unmatched_features": unmatched,
            "ambiguous": [{**self._source(i), **a} for i, a in sorted(self.ambiguous.items())],
            "duplicates": self.duplicates,
            "unmatched_register": [
                {"code": e.code, "name": e.name} for e in self.entries.values() if e.code not in self.claimed
            ],
            "code_system": self.code_system.value if self.code_system else None,
        }
