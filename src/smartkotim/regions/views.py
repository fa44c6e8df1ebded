"""Region routes: the region tree, region pages with their map, boundary imports, GeoJSON export.

Every HTML page has its JSON twin under ``/api``; maps are drawn in the browser by
``static/js/regionmap.js`` from ``/api/regions/{code}/map.geojson``.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import JSONResponse
from sqlalchemy.orm import Session
from starlette.responses import HTMLResponse, Response

from smartkotim.config import Settings
from smartkotim.regions import maps, presenters
from smartkotim.regions.errors import RegionNotFoundError
from smartkotim.regions.models import RegionLevel
from smartkotim.regions.schemas import (
    BoundaryImportDetailOut,
    BoundaryImportOut,
    FeatureCollectionOut,
    LookupOut,
    RegionDetailOut,
    RegionNodeOut,
)
from smartkotim.web.deps import get_db, get_settings
from smartkotim.web.templating import render

router = APIRouter()
GEOJSON = "application/geo+json"


def _not_found(code: str) -> HTTPException:
    return HTTPException(404, f"wilayah {code} tidak ditemukan")


def _tree(db: Session, settings: Settings) -> RegionNodeOut:
    try:
        return presenters.get_region_tree_out(db, regency_code=settings.regency_code)
    except RegionNotFoundError as exc:
        raise HTTPException(404, "register wilayah belum dimuat (jalankan smartkotim init)") from exc


def _detail(db: Session, code: str) -> RegionDetailOut:
    try:
        return presenters.get_region_detail(db, code)
    except RegionNotFoundError as exc:
        raise _not_found(code) from exc


@router.get("/wilayah", name="region_tree", response_class=HTMLResponse, include_in_schema=False)
def region_tree(
    request: Request, db: Session = Depends(get_db), settings: Settings = Depends(get_settings)
) -> Response:
    """The register tree (kabupaten → kecamatan → desa) and the kabupaten's map."""
    tree = _tree(db, settings)
    detail = _detail(db, tree.code)
    return render(request, "regions/tree.html", {"tree": tree, "detail": detail})


@router.get("/api/regions", name="api_region_tree", tags=["regions"], response_model=RegionNodeOut)
def api_region_tree(
    db: Session = Depends(get_db), settings: Settings = Depends(get_settings)
) -> RegionNodeOut:
    """The register of the installation's regency as a tree (Kepmendagri 300.2.2-2138/2025)."""
    return _tree(db, settings)


@router.get("/wilayah/batas", name="boundary_imports", response_class=HTMLResponse, include_in_schema=False)
def boundary_imports(request: Request, db: Session = Depends(get_db)) -> Response:
    """History of boundary imports (every version of every level), newest first."""
    return render(request, "regions/imports.html", {"imports": presenters.list_imports_out(db)})


@router.get(
    "/wilayah/batas/{import_id}", name="boundary_import", response_class=HTMLResponse, include_in_schema=False
)
def boundary_import(request: Request, import_id: int, db: Session = Depends(get_db)) -> Response:
    """One boundary import with its match report."""
    detail = presenters.get_import_detail(db, import_id)
    if detail is None:
        raise HTTPException(404, f"impor batas {import_id} tidak ditemukan")
    return render(request, "regions/import_detail.html", {"item": detail, "report": detail.report})


@router.get(
    "/api/boundaries/imports",
    name="api_boundary_imports",
    tags=["regions"],
    response_model=list[BoundaryImportOut],
)
def api_boundary_imports(db: Session = Depends(get_db)) -> list[BoundaryImportOut]:
    """History of boundary imports, newest first (``version`` counts per level)."""
    return presenters.list_imports_out(db)


@router.get(
    "/api/boundaries/imports/{import_id}",
    name="api_boundary_import",
    tags=["regions"],
    response_model=BoundaryImportDetailOut,
)
def api_boundary_import(import_id: int, db: Session = Depends(get_db)) -> BoundaryImportDetailOut:
    """One boundary import with its full match report."""
    detail = presenters.get_import_detail(db, import_id)
    if detail is None:
        raise HTTPException(404, f"impor batas {import_id} tidak ditemukan")
    return detail


@router.get(
    "/api/boundaries/{level}.geojson",
    name="api_boundaries_geojson",
    tags=["regions"],
    response_model=FeatureCollectionOut,
    responses={200: {"content": {GEOJSON: {}}}},
)
def api_boundaries_geojson(level: RegionLevel, db: Session = Depends(get_db)) -> Response:
    """GeoJSON (WGS84) of the current boundaries of ``level``; 404 when none were imported."""
    collection = maps.export_boundaries(db, level)
    if collection is None:
        raise HTTPException(404, f"belum ada batas {level} yang diimpor")
    headers = {"Content-Disposition": f'attachment; filename="batas_{level}.geojson"'}
    return JSONResponse(collection.model_dump(mode="json"), media_type=GEOJSON, headers=headers)


@router.get("/api/regions/lookup", name="api_region_lookup", tags=["regions"], response_model=LookupOut)
def api_region_lookup(
    lon: float | None = Query(None, ge=-180, le=180, description="Longitude, WGS84 degrees"),
    lat: float | None = Query(None, ge=-90, le=90, description="Latitude, WGS84 degrees"),
    postal_code: str | None = Query(None, pattern=r"^\d{5}$", description="Kode pos"),
    address: str | None = Query(None, max_length=500, description="Free-text address"),
    db: Session = Depends(get_db),
    settings: Settings = Depends(get_settings),
) -> LookupOut:
    """Desa of a point (needs imported desa boundaries), candidate desa of a kode pos, desa of an address."""
    return presenters.lookup_out(
        db, regency_code=settings.regency_code, lon=lon, lat=lat, postal_code=postal_code, address=address
    )


@router.get("/wilayah/{code}", name="region_page", response_class=HTMLResponse, include_in_schema=False)
def region_page(request: Request, code: str, db: Session = Depends(get_db)) -> Response:
    """One region: its data, its children and its map."""
    return render(request, "regions/region.html", {"detail": _detail(db, code)})


@router.get("/api/regions/{code}", name="api_region", tags=["regions"], response_model=RegionDetailOut)
def api_region(code: str, db: Session = Depends(get_db)) -> RegionDetailOut:
    """One region with its parents, children, current boundary (area, centroid) and map URL."""
    return _detail(db, code)


@router.get(
    "/api/regions/{code}/map.geojson",
    name="api_region_map",
    tags=["regions"],
    response_model=FeatureCollectionOut,
    responses={200: {"content": {GEOJSON: {}}}},
)
def api_region_map(code: str, db: Session = Depends(get_db)) -> Response:
    """GeoJSON of the region's map: its children (a desa: its siblings), real or schematic (``schematic``)."""
    try:
        collection = maps.build_region_map(db, code)
    except RegionNotFoundError as exc:
        raise _not_found(code) from exc
    return JSONResponse(collection.model_dump(mode="json"), media_type=GEOJSON)
