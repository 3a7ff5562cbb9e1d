"""Admin helpers shared by the apps."""

from __future__ import annotations

from atrium.core.search import search


class ChineseAwareSearchMixin:
    """Admin search through the stored search key: pinyin, Traditional and Simplified alike."""

    search_key_field = "search_key"
    search_fields = ("search_key",)  # shows the search box; the lookup itself is below

    def get_search_results(self, request, queryset, search_term):
        if not search_term:
            return queryset, False
        return search(queryset, search_term, field=self.search_key_field), False
