"""Reads of the region register and the stored boundaries (the only SQL of the regions feature).

The point, postal-code and address lookups are in ``regions.lookups`` (re-exported by ``services``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from smartkotim.regions.models import BoundaryImport, Region, RegionBoundary, RegionLevel


@dataclass(slots=True)
class RegionNode:
    """A region with its children (kabupaten → kecamatan → desa), in code order."""

    region: Region
    children: list[RegionNode] = field(default_factory=list)


def get_region(session: Session, code: str) -> Region | None:
    """The region with dotted Kemendagri ``code`` (``62.02.06``), or ``None``."""
    return session.get(Region, code)


def list_regions(session: Session, *, regency_code: str, level: RegionLevel | None = None) -> list[Region]:
    """The regency and everything below it (or only ``level``), in code order."""
    query = select(Region).where((Region.code == regency_code) | Region.code.like(f"{regency_code}.%"))
    if level is not None:
        query = query.where(Region.level == level)
    return list(session.scalars(query.order_by(Region.code)))


def list_children(session: Session, code: str) -> list[Region]:
    """The direct children of region ``code`` (kecamatan of a kabupaten, desa of a kecamatan)."""
    return list(session.scalars(select(Region).where(Region.parent_code == code).order_by(Region.code)))


def list_ancestors(session: Session, region: Region) -> list[Region]:
    """The parents of ``region``, kabupaten first (empty for a kabupaten)."""
    chain: list[Region] = []
    code = region.parent_code
    while code:
        parent = session.get(Region, code)
        if parent is None:
            break
        chain.append(parent)
        code = parent.parent_code
    return chain[::-1]


def get_region_tree(session: Session, *, regency_code: str) -> RegionNode | None:
    """The whole register of the regency as a tree, or ``None`` when the register is not loaded."""
    nodes = {r.code: RegionNode(r) for r in list_regions(session, regency_code=regency_code)}
    root = nodes.get(regency_code)
    for node in nodes.values():
        parent = nodes.get(node.region.parent_code or "")
        if parent is not None:
            parent.children.append(node)
    return root


def get_current_import(
    session: Session, level: RegionLevel, *, for_update: bool = False
) -> BoundaryImport | None:
    """The current boundary import of ``level`` (``for_update`` locks the row on PostgreSQL)."""
    query = select(BoundaryImport).where(BoundaryImport.level == level, BoundaryImport.is_current.is_(True))
    if for_update:
        query = query.with_for_update()
    return session.scalars(query.order_by(BoundaryImport.id.desc())).first()


def retire_current_imports(session: Session, level: RegionLevel) -> None:
    """Mark every import of ``level`` not current (the caller adds the new one and commits)."""
    session.execute(
        update(BoundaryImport)
        .where(BoundaryImport.level == level, BoundaryImport.is_current.is_(True))
        .values(is_current=False)
    )


def get_boundary_import(session: Session, import_id: int) -> BoundaryImport | None:
    """One boundary import by id, or ``None``."""
    return session.get(BoundaryImport, import_id)


def list_boundary_imports(session: Session, *, level: RegionLevel | None = None) -> list[BoundaryImport]:
    """Boundary imports, newest first (all levels unless ``level``)."""
    query = select(BoundaryImport).order_by(BoundaryImport.id.desc())
    if level is not None:
        query = query.where(BoundaryImport.level == level)
    return list(session.scalars(query))


def count_imports(session: Session, level: RegionLevel) -> int:
    """How many boundary imports of ``level`` were stored (current or not)."""
    return session.scalar(select(func.count()).where(BoundaryImport.level == level)) or 0


def get_import_version(session: Session, boundary_import: BoundaryImport) -> int:
    """The 1-based version number of an import within its level (1 = the first import)."""
    query = select(func.count()).where(
        BoundaryImport.level == boundary_import.level, BoundaryImport.id <= boundary_import.id
    )
    return session.scalar(query) or 0


def list_boundaries(
    session: Session, import_id: int, *, codes: Iterable[str] | None = None
) -> list[RegionBoundary]:
    """The geometries of one import (optionally only ``codes``), in region-code order."""
    query = select(RegionBoundary).where(RegionBoundary.import_id == import_id)
    if codes is not None:
        query = query.where(RegionBoundary.region_code.in_(list(codes)))
    return list(session.scalars(query.order_by(RegionBoundary.region_code)))


def list_current_boundaries(
    session: Session, level: RegionLevel, *, codes: Iterable[str] | None = None
) -> list[RegionBoundary]:
    """The geometries of the current import of ``level`` (empty when none was imported)."""
    current = get_current_import(session, level)
    return [] if current is None else list_boundaries(session, current.id, codes=codes)
