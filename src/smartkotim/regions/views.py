"""Region routes: the region tree, region pages with their map, GeoJSON export."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter()
