"""Bench of the reviewer-assignment solver against a plain greedy, on generated calls.

Run from the repo root::

    .venv/bin/python bench/reviews_assign.py                  # small, medium, large
    .venv/bin/python bench/reviews_assign.py small --seed 1
    .venv/bin/python bench/reviews_assign.py large --write /tmp/large.json   # keep the instance

For each size it generates a call (:func:`generate`, below), then runs

* **ours**: ``python -m atrium.reviews.assign`` as a subprocess (wall time and peak RSS of that
  process, Python start-up and JSON in and out included);
* **greedy**: the best pairs first (affinity descending, then input order), each taken when
  the reviewer has load left and the submission still wants reviews; the zero-affinity pairs
  last, reviewer by reviewer.

Both answers are checked by ``atrium.reviews.checker`` (independent of the solver).

The generated call
------------------
* organisations (universities, parks, companies) with a heavy-tailed size: a few large ones
  send many submissions and many reviewers;
* a submission comes from one organisation (most), two or three (some), or a consortium of
  15 to 30 (about 1 in 100); a reviewer belongs to one organisation;
* conflicts: a reviewer and a submission of the same organisation, plus a few personal
  conflicts declared by the reviewers (bids of "conflict");
* topics: a reviewer has 2 to 4 fields of expertise, a submission 1 or 2 topics, topics have a
  heavy-tailed popularity;
* affinity, listed only where there is something to say: ``0.6 * share of the submission's
  topics the reviewer knows``, a little noise (text similarity), ``+0.35`` for an "eager" bid,
  ``+0.15`` for "willing"; a "not willing" bid sets it to 0 (the lowest);
* loads: about 10 % more capacity than the reviews wanted, but a fifth of the reviewers give
  only half the usual load; 2 % of the submissions already have one locked reviewer.

Variants of large (``large-tight``, ``large-bids``): see ``VARIANTS``.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from atrium.reviews.checker import check  # noqa: E402

_LARGE = {"submissions": 5000, "reviewers": 1500, "reviews": 3, "topics": 40, "bids": 20}
SIZES: dict[str, dict[str, Any]] = {
    "small": {"submissions": 120, "reviewers": 25, "reviews": 5, "topics": 8, "bids": 30},
    "medium": {"submissions": 1000, "reviewers": 300, "reviews": 3, "topics": 25, "bids": 20},
    "large": _LARGE,
}
# variants of large, run on request: loads 10 % short of the reviews wanted; and a call
# whose affinities come from bids only (no expertise profiles), so that nearly every pair
# has affinity 0 and the zero pairs are found by pricing, round after round
VARIANTS: dict[str, dict[str, Any]] = {
    "large-tight": _LARGE | {"slack": 0.9},
    "large-bids": _LARGE | {"expertise": False},
}


# --------------------------------------------------------------------------- generator


def _zipf(rng: np.random.Generator, n: int, size: int, a: float = 1.0) -> np.ndarray:
    """``size`` draws from ``0..n-1`` with probability proportional to ``1 / (i + 1) ** a``."""
    p = 1.0 / np.arange(1, n + 1) ** a
    return rng.choice(n, size=size, p=p / p.sum())


def generate(
    submissions: int,
    reviewers: int,
    reviews: int,
    topics: int,
    bids: int,
    *,
    seed: int = 0,
    slack: float = 1.1,
    locked_share: float = 0.02,
    expertise: bool = True,
) -> dict[str, Any]:
    """A call with review, as a JSON-ready instance for ``atrium.reviews.assign``."""
    rng = np.random.default_rng(seed)
    n_orgs = max(20, submissions // 4)
    # organisations
    sub_orgs: list[np.ndarray] = []
    for _ in range(submissions):
        x = rng.random()
        if x < 0.01:
            n = int(rng.integers(15, 31))
        elif x < 0.1:
            n = 3
        elif x < 0.3:
            n = 2
        else:
            n = 1
        sub_orgs.append(np.unique(_zipf(rng, n_orgs, n, 0.8)))
    rev_org = _zipf(rng, n_orgs, reviewers, 0.8)
    by_org: dict[int, list[int]] = {}
    for r, o in enumerate(rev_org.tolist()):
        by_org.setdefault(o, []).append(r)
    conflict = np.zeros((reviewers, submissions), dtype=bool)
    for s, orgs in enumerate(sub_orgs):
        for o in orgs.tolist():
            conflict[by_org.get(o, []), s] = True
    personal = rng.integers(0, submissions, size=(reviewers, 1))
    declares = rng.random(reviewers) < 0.3
    conflict[np.flatnonzero(declares), personal[declares, 0]] = True

    # topics and expertise
    rev_topics = np.zeros((reviewers, topics), dtype=np.int32)
    for r in range(reviewers):
        rev_topics[r, np.unique(_zipf(rng, topics, int(rng.integers(2, 5)), 0.7))] = 1
    sub_topics = np.zeros((submissions, topics), dtype=np.int32)
    for s in range(submissions):
        sub_topics[s, np.unique(_zipf(rng, topics, int(rng.integers(1, 3)), 0.7))] = 1
    overlap = rev_topics @ sub_topics.T  # reviewers x submissions
    score = 0.6 * overlap / sub_topics.sum(axis=1)[None, :]
    score += np.where(overlap > 0, rng.random(overlap.shape) * 0.1, 0.0)
    # bids: mostly on submissions of their topics
    bid = np.zeros(overlap.shape, dtype=np.int8)  # 0 none, 1 willing, 2 eager, -1 not willing
    for r in range(reviewers):
        mine = np.flatnonzero(overlap[r] > 0)
        n_mine = min(len(mine), int(bids * 0.8))
        chosen = np.concatenate(
            [
                rng.choice(mine, size=n_mine, replace=False) if n_mine else mine[:0],
                rng.integers(0, submissions, size=bids - n_mine),
            ]
        )
        bid[r, chosen] = rng.choice([2, 1, -1], size=len(chosen), p=[0.4, 0.4, 0.2])
    score += np.where(bid == 2, 0.35, 0.0) + np.where(bid == 1, 0.15, 0.0)
    score = np.where(bid == -1, 0.0, np.minimum(score, 1.0))
    if not expertise:
        score = np.where(bid == 2, 0.85, 0.0) + np.where(bid == 1, 0.5, 0.0)
    score = np.round(score, 3)
    listed = (((overlap > 0) & expertise) | (bid != 0)) & ~conflict
    rr, ss = np.nonzero(listed)

    # loads: a fifth give half the usual load
    half = rng.random(reviewers) < 0.2
    units = reviewers - 0.5 * half.sum()
    base = int(np.ceil(submissions * reviews * slack / units))
    loads = np.where(half, max(1, base // 2), base)

    rid = [f"r{i}" for i in range(reviewers)]
    sid = [f"s{j}" for j in range(submissions)]
    locked = []
    for s in rng.choice(submissions, size=int(submissions * locked_share), replace=False):
        allowed = np.flatnonzero(~conflict[:, s])
        if len(allowed):
            locked.append([rid[int(rng.choice(allowed))], sid[int(s)]])
    cr, cs = np.nonzero(conflict)
    return {
        "reviewers": [{"id": rid[r], "max_load": int(loads[r])} for r in range(reviewers)],
        "submissions": [{"id": sid[s], "reviews": reviews} for s in range(submissions)],
        "affinity": [
            [rid[r], sid[s], float(score[r, s])]
            for r, s in zip(rr.tolist(), ss.tolist(), strict=True)
        ],
        "conflicts": [[rid[r], sid[s]] for r, s in zip(cr.tolist(), cs.tolist(), strict=True)],
        "locked": locked,
    }


def generate_size(size: str, *, seed: int = 0) -> dict[str, Any]:
    return generate(**(SIZES | VARIANTS)[size], seed=seed)


# --------------------------------------------------------------------------- baseline


def greedy(inst: dict[str, Any]) -> dict[str, Any]:
    """Best pairs first: affinity descending (input order among ties), zero pairs last."""
    t0 = time.perf_counter()
    spare = {r["id"]: r["max_load"] for r in inst["reviewers"]}
    need = {s["id"]: s["reviews"] for s in inst["submissions"]}
    conflicts = {(r, s) for r, s in inst["conflicts"]}
    chosen: set[tuple[str, str]] = set()
    for r, s in inst["locked"]:
        chosen.add((r, s))
        spare[r] -= 1
        need[s] -= 1
    ranked = sorted(inst["affinity"], key=lambda x: -x[2])
    for r, s, _ in ranked:
        if spare[r] > 0 and need[s] > 0 and (r, s) not in conflicts and (r, s) not in chosen:
            chosen.add((r, s))
            spare[r] -= 1
            need[s] -= 1
    for r in spare:  # zero-affinity pairs, reviewer by reviewer
        if spare[r] <= 0:
            continue
        for s in need:
            if need[s] > 0 and (r, s) not in conflicts and (r, s) not in chosen:
                chosen.add((r, s))
                spare[r] -= 1
                need[s] -= 1
                if spare[r] == 0:
                    break
    affinity = {(r, s): w for r, s, w in inst["affinity"]}
    return {
        "assignments": sorted(chosen),
        "placed": len(chosen),
        "objective": round(
            sum(affinity.get(p, inst.get("default_affinity", 0)) for p in chosen), 3
        ),
        "short": [{"submission": s, "missing": n} for s, n in need.items() if n > 0],
        "seconds": time.perf_counter() - t0,
    }


# --------------------------------------------------------------------------- ours


def ours(path: str, time_limit: float | None) -> tuple[dict[str, Any], float, float]:
    """Run the CLI in a subprocess; return its answer, wall seconds and peak RSS in MB."""
    cmd = [sys.executable, "-m", "atrium.reviews.assign", path]
    if time_limit is not None:
        cmd += ["--time-limit", str(time_limit)]
    with tempfile.TemporaryFile() as out:
        t0 = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=out, cwd=ROOT)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - t0
        proc.returncode = os.waitstatus_to_exitcode(status)
        if proc.returncode:
            raise SystemExit(f"solver exited with {proc.returncode}")
        out.seek(0)
        answer = json.load(out)
    return answer, wall, usage.ru_maxrss / 1024


def run(size: str, seed: int, write: str | None) -> dict[str, Any]:
    t0 = time.perf_counter()
    inst = generate_size(size, seed=seed)
    gen = time.perf_counter() - t0
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as fh:
        json.dump(inst, fh)
        path = fh.name
    try:
        answer, wall, rss = ours(path, None)
    finally:
        if write:
            os.replace(path, write)
        else:
            os.unlink(path)
    problems, placed, total = check(inst, answer)
    if problems:
        raise SystemExit(f"{size}: the solver's answer is wrong: {problems[:5]}")
    g = greedy(inst)
    g_problems, g_placed, g_total = check(inst, g)
    if g_problems:
        raise SystemExit(f"{size}: the greedy answer is wrong: {g_problems[:5]}")
    wanted = sum(s["reviews"] for s in inst["submissions"])
    return {
        "size": size,
        "submissions": len(inst["submissions"]),
        "reviewers": len(inst["reviewers"]),
        "k": inst["submissions"][0]["reviews"],
        "pairs_allowed": len(inst["reviewers"]) * len(inst["submissions"]) - len(inst["conflicts"]),
        "affinity_listed": len(inst["affinity"]),
        "conflicts": len(inst["conflicts"]),
        "locked": len(inst["locked"]),
        "generate_s": round(gen, 2),
        "wanted": wanted,
        "ours": {
            "wall_s": round(wall, 2),
            "solver_s": answer["seconds"],
            "peak_rss_mb": round(rss),
            "placed": placed,
            "objective": total / 1000,
            "upper_bound": answer["upper_bound"],
            "status": answer["status"],
            "rounds": answer.get("rounds"),
            "short": len(answer["short"]),
        },
        "greedy": {
            "seconds": round(g["seconds"], 2),
            "placed": g_placed,
            "objective": g_total / 1000,
            "short": len(g["short"]),
        },
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "sizes",
        nargs="*",
        metavar="SIZE",
        help=f"{', '.join(SIZES | VARIANTS)} (default: all but the variants)",
    )
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--write", help="keep the (single) generated instance at this path")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args(argv)
    unknown = [s for s in args.sizes if s not in SIZES | VARIANTS]
    if unknown:
        parser.error(f"unknown size {unknown[0]!r}: choose from {', '.join(SIZES | VARIANTS)}")
    args.sizes = args.sizes or list(SIZES)
    for size in args.sizes:
        row = run(size, args.seed, args.write)
        if args.json:
            print(json.dumps(row))
            continue
        o, g = row["ours"], row["greedy"]
        print(
            f"{size}: {row['submissions']} submissions x {row['reviewers']} reviewers x "
            f"{row['k']} reviews; {row['pairs_allowed']:,} allowed pairs, "
            f"{row['affinity_listed']:,} listed affinities, {row['conflicts']:,} conflicts, "
            f"{row['locked']} locked (generated in {row['generate_s']} s)"
        )
        print(
            f"  ours:   {o['status']}, {o['placed']}/{row['wanted']} reviews, objective "
            f"{o['objective']:.3f}, bound {o['upper_bound']:.3f}, {o['rounds']} rounds, "
            f"{o['wall_s']} s wall ({o['solver_s']} s in the process), "
            f"peak {o['peak_rss_mb']} MB"
        )
        gap = o["objective"] - g["objective"]
        print(
            f"  greedy: {g['placed']}/{row['wanted']} reviews, objective {g['objective']:.3f} "
            f"({gap:+.3f} for ours), {g['seconds']} s"
        )


if __name__ == "__main__":
    main()
