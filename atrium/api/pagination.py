"""Limit/offset pages with the total: ``{"items": [...], "total", "limit", "offset"}``.

Use on a route that returns a queryset with a unique, stable ordering (end
every ``order_by`` with the primary key)::

    @router.get("/things", response=responses(list[ThingOut]))
    @paginate(Page)
    def things(request): ...
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from ninja import Field, Schema
from ninja.pagination import PaginationBase

DEFAULT_LIMIT = 50
MAX_LIMIT = 200
#: Far beyond any real list, and small enough for every database's OFFSET.
MAX_OFFSET = 1_000_000


class Page(PaginationBase):
    class Input(Schema):
        limit: int = Field(
            DEFAULT_LIMIT, ge=1, le=MAX_LIMIT, description=f"Items per page (1–{MAX_LIMIT})."
        )
        offset: int = Field(0, ge=0, le=MAX_OFFSET, description="Items to skip.")

    class Output(Schema):
        items: list[Any]
        total: int = Field(..., description="Items in the whole list, over all pages.")
        limit: int
        offset: int

    items_attribute = "items"

    def paginate_queryset(self, queryset: QuerySet, pagination: Input, request, **params: Any):
        offset, limit = pagination.offset, pagination.limit
        return {
            "items": queryset[offset : offset + limit],
            "total": self._items_count(queryset),
            "limit": limit,
            "offset": offset,
        }
