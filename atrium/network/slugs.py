"""Slugs for organisations and people: one rule for sign-ups, imports and the admin.

A name's slug is Django's ``slugify``; a Chinese-only name goes by its pinyin
(中关村 → ``zhong-guan-cun``), so every address is readable. A taken slug gets ``-2``,
``-3``… Bulk imports pass the set of slugs already taken (and those the import itself
hands out); a single new person looks the taken ones up in the database.
"""

from __future__ import annotations

from django.db.models import Q
from django.utils.text import slugify

from atrium.core.search import pinyin_forms


def slug_base(name: str, *, fallback: str = "item") -> str:
    """``slugify`` of the name; Chinese-only names by their pinyin (中关村 → zhong-guan-cun)."""
    base = slugify(name)
    if not base:
        forms = pinyin_forms(name)
        base = slugify(forms[0]) if forms else ""
    return base[:100].strip("-") or fallback


def unique_slug(name: str, taken: set[str], *, fallback: str = "item") -> str:
    """The first free slug for ``name`` outside ``taken``, which it is added to."""
    base = slug_base(name, fallback=fallback)
    slug, number = base, 2
    while slug in taken:
        slug = f"{base}-{number}"
        number += 1
    taken.add(slug)
    return slug


def unique_person_slug(name: str) -> str:
    """A slug no person has yet, for one new person."""
    from atrium.network.models import Person

    base = slug_base(name, fallback="person")
    taken = set(
        Person.objects.filter(Q(slug=base) | Q(slug__startswith=f"{base}-")).values_list(
            "slug", flat=True
        )
    )
    return unique_slug(name, taken, fallback="person")
