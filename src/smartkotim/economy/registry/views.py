"""Smart Economy registry routes (HTML pages and their JSON twins under /api): markets, merchants, QRIS."""

from __future__ import annotations

from fastapi import APIRouter

from smartkotim.economy.registry import import_views, market_views, merchant_views, qris_views

router = APIRouter()
router.include_router(import_views.router)  # first: /ekonomi/pasar/impor is not a market code
router.include_router(market_views.router)
router.include_router(qris_views.router)  # before merchant_views: /ekonomi/pedagang/qris is not an id
router.include_router(merchant_views.router)
