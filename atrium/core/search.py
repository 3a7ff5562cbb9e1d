"""Chinese-aware search keys.

Every searchable row stores a ``search_key``: a lower-case text that holds its
names in Latin script, in Simplified Chinese (Traditional input is converted),
and the pinyin of every Chinese name, both spaced and run together. A query is
normalised the same way, so that ``ma jun``, ``majun``, ``马骏`` and ``馬駿`` all
find 马骏, and a search is one query on one column (``icontains``; on PostgreSQL
a trigram index serves it), never a loop in Python.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from django.db.models import Case, IntegerField, Q, QuerySet, Value, When

SEPARATOR = " | "
_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_SPACES = re.compile(r"\s+")


@lru_cache(maxsize=1)
def _t2s():
    import opencc  # opencc-python-reimplemented: pure Python, no download

    return opencc.OpenCC("t2s")


def has_han(text: str) -> bool:
    return bool(_HAN.search(text or ""))


def to_simplified(text: str) -> str:
    """Traditional to Simplified Chinese; other scripts pass through unchanged."""
    return _t2s().convert(text) if has_han(text) else text


def fold(text: str) -> str:
    """Lower case, accents removed (Cécile → cecile), white space collapsed."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _SPACES.sub(" ", stripped.casefold()).strip()


def pinyin_forms(text: str) -> list[str]:
    """``马骏`` → ``["ma jun", "majun"]``; text without Chinese → ``[]``."""
    if not has_han(text):
        return []
    from pypinyin import lazy_pinyin

    syllables = [s for s in lazy_pinyin(to_simplified(text)) if s.strip()]
    spaced = fold(" ".join(syllables))
    return [spaced, spaced.replace(" ", "")]


def sort_key(text: str) -> str:
    """Alphabetical order for mixed scripts: Chinese sorts by its pinyin (北京 near "Beijing")."""
    forms = pinyin_forms(text)
    return forms[0] if forms else fold(text)


def build_search_key(*texts: str | None) -> str:
    """The stored key of a row from its names (Latin and Chinese, any order)."""
    parts: list[str] = []
    for text in texts:
        if not text:
            continue
        simplified = fold(to_simplified(text))
        parts.append(simplified)
        if not has_han(simplified):
            # "Ma Jun" is also found as "majun".
            joined = simplified.replace(" ", "")
            if joined != simplified:
                parts.append(joined)
        parts.extend(pinyin_forms(simplified))
    seen: dict[str, None] = {}
    for part in parts:
        seen.setdefault(part, None)
    return SEPARATOR.join(seen)


def query_terms(query: str) -> list[list[str]]:
    """A query as a list of terms; each term is a list of alternatives.

    A row matches when every term matches at least one of its alternatives.
    A Chinese term also matches by its pinyin, so ``中关村`` finds a row that
    has only the Latin name "Zhongguancun ...".
    """
    terms: list[list[str]] = []
    for token in fold(to_simplified(query)).split(" "):
        if not token:
            continue
        alternatives = [token]
        if has_han(token):
            alternatives.extend(form for form in pinyin_forms(token)[1:] if form)
        terms.append(alternatives)
    return terms


def search(queryset: QuerySet, query: str, field: str = "search_key") -> QuerySet:
    """Filter ``queryset`` by a free-text query; rows with the whole phrase first.

    Returns the queryset unchanged when the query is empty. The result is
    annotated with ``search_rank`` (0 = whole phrase found, 1 = all words found).
    """
    terms = query_terms(query)
    if not terms:
        return queryset
    condition = Q()
    for alternatives in terms:
        term_q = Q()
        for alternative in alternatives:
            term_q |= Q(**{f"{field}__contains": alternative})
        condition &= term_q
    phrase = " ".join(t[0] for t in terms)
    joined = "".join(t[0] for t in terms)
    return queryset.filter(condition).annotate(
        search_rank=Case(
            When(Q(**{f"{field}__contains": phrase}) | Q(**{f"{field}__contains": joined}), then=0),
            default=Value(1),
            output_field=IntegerField(),
        )
    )
