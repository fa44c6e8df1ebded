"""Smart Economy registry routes (HTML pages and their JSON twins under /api)."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter()
