"""Account routes: login, logout, users, organisations, API tokens, audit log."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter()
