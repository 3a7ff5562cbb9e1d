"""Independent check of a reviewer assignment (plain Python, shares nothing with the solver).

Used by the tests and the bench: given the JSON-shaped instance and answer, it lists every
broken rule and recomputes the number of reviews placed and the total affinity.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

__all__ = ["check"]


def check(instance: dict[str, Any], answer: dict[str, Any]) -> tuple[list[str], int, int]:
    """Return ``(problems, placed, affinity in thousandths)`` of ``answer``."""
    problems: list[str] = []
    load = {r["id"]: r["max_load"] for r in instance["reviewers"]}
    want = {s["id"]: s["reviews"] for s in instance["submissions"]}
    affinity = {(r, s): round(w * 1000) for r, s, w in instance.get("affinity", [])}
    default = round(instance.get("default_affinity", 0) * 1000)
    conflicts = {(r, s) for r, s in instance.get("conflicts", [])}
    pairs = [tuple(p) for p in answer["assignments"]]
    for pair, n in Counter(pairs).items():
        if n > 1:
            problems.append(f"pair {pair} assigned {n} times")
    for r, s in pairs:
        if r not in load or s not in want:
            problems.append(f"unknown pair {(r, s)}")
        if (r, s) in conflicts:
            problems.append(f"conflicted pair {(r, s)}")
    chosen = set(pairs)
    for r, s in instance.get("locked", []):
        if (r, s) not in chosen:
            problems.append(f"locked pair {(r, s)} missing")
    for r, n in Counter(r for r, _ in pairs).items():
        if n > load.get(r, 0):
            problems.append(f"reviewer {r} has {n} > {load.get(r)}")
    got = Counter(s for _, s in pairs)
    for s, n in got.items():
        if n > want.get(s, 0):
            problems.append(f"submission {s} has {n} > {want.get(s)}")
    short = {item["submission"]: item["missing"] for item in answer.get("short", [])}
    for s, k in want.items():
        missing = k - got.get(s, 0)
        if missing != short.get(s, 0):
            problems.append(f"submission {s} misses {missing}, reported {short.get(s, 0)}")
    total = sum(affinity.get(p, default) for p in chosen)
    if answer.get("placed") != len(pairs):
        problems.append(f"placed {answer.get('placed')} but {len(pairs)} pairs")
    if round(answer.get("objective", -1) * 1000) != total:
        problems.append(f"objective {answer.get('objective')} but the pairs sum to {total / 1000}")
    return problems, len(pairs), total
