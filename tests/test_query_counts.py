"""Pages never run a query per row: the same number of queries at 10x the size."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from atrium.demo.large import build_large_edition

pytestmark = pytest.mark.django_db


def count_queries(client, url: str, **params) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, params)
    assert response.status_code == 200, url
    return len(queries)


def page_queries(client, slug: str) -> dict[str, int]:
    conference_sessions = f"/c/{slug}/programme/"
    return {
        "home": count_queries(client, f"/c/{slug}/"),
        "programme": count_queries(client, conference_sessions),
        "programme, filtered": count_queries(client, conference_sessions, kind="parallel_forum"),
        "speakers": count_queries(client, f"/c/{slug}/speakers/"),
        "directory": count_queries(client, "/directory/"),
        "directory search": count_queries(client, "/directory/", q="science park"),
        "directory, Chinese search": count_queries(client, "/directory/", q="中關村"),
        "directory, filtered": count_queries(client, "/directory/", member="yes", page=2),
    }


def test_query_counts_do_not_grow_with_the_edition(client):
    small = build_large_edition(sessions=60, organisations=350, slug="small")
    small_counts = page_queries(client, small.slug)
    large = build_large_edition(sessions=600, organisations=3500, slug="large")
    assert large.sessions.count() == 600
    large_counts = page_queries(client, large.slug)
    assert large_counts == small_counts
    # And the numbers stay small in absolute terms.
    assert max(small_counts.values()) <= 12, small_counts
