"""Generator of realistic matchmaking instances for the bench and the tests.

Structure (meant to look like a trade show floor, e.g. parks meeting delegations):

* organisations are *parks* (the asked side, about a quarter) or *delegations* (the asking
  side); each has 1 to 3 people, and every person is a participant;
* a delegation asks several parks; the park is drawn with a heavy-tailed (Zipf-like)
  popularity, so a few parks are asked by hundreds of delegations;
* a meeting brings 1 to 3 people of the delegation and 1 or 2 of the park (2 to 5 people);
* weights: mostly 1, some priority requests of weight 2 or 3;
* availability: speakers miss the slots of their talk (1 to 3 slots), some people come for
  one day only, the others are available throughout;
* a few meetings (about 1%, at most 3 per person) are already published: fixed slot and
  table;
* two days; tables are sized so that they bind a little, while people's time binds most.

The *sparse* family (:func:`generate_sparse`, sizes ``sparse-small`` and ``sparse-medium``)
is smaller and flatter: pairs of people drawn uniformly at random, weights 1 to 3, tables that
never bind, and many people asked for more meetings than they have free slots.  There the
bound is close to the optimum and the search has to work for the last few meetings.

Usage: ``python bench/matchmaking_instances.py SIZE [--seed N] > inst.json`` with SIZE one of
``small``, ``medium``, ``large``, ``sparse-small``, ``sparse-medium``.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from typing import Any

SIZES: dict[str, dict[str, int]] = {
    "small": {"participants": 60, "meetings": 300, "slots": 12, "tables": 25},
    "medium": {"participants": 1000, "meetings": 8000, "slots": 20, "tables": 400},
    "large": {"participants": 10000, "meetings": 100000, "slots": 24, "tables": 4000},
}


def generate(
    participants: int,
    meetings: int,
    slots: int,
    tables: int,
    *,
    seed: int = 0,
    days: int = 2,
    fixed_share: float = 0.01,
    zipf: float = 0.6,
) -> dict[str, Any]:
    """Return an instance as a JSON-ready dict."""
    rng = random.Random(seed)
    # organisations and their people
    people: list[str] = []
    orgs: list[list[int]] = []
    while len(people) < participants:
        size = min(rng.choice((1, 1, 2, 2, 2, 3)), participants - len(people))
        first = len(people)
        orgs.append(list(range(first, first + size)))
        people.extend(f"p{first + i}" for i in range(size))
    rng.shuffle(orgs)
    n_parks = max(1, len(orgs) // 4)
    parks, delegations = orgs[:n_parks], orgs[n_parks:] or orgs[:1]
    pop = [1.0 / (r + 1) ** zipf for r in range(len(parks))]

    # availability
    day_of_slot = [s * days // slots for s in range(slots)]
    avail: list[list[int] | None] = []
    for _ in people:
        u = rng.random()
        if u < 0.10:  # speaker: misses 1 to 3 consecutive slots
            start = rng.randrange(slots)
            gone = set(range(start, min(slots, start + rng.randint(1, 3))))
            avail.append([s for s in range(slots) if s not in gone])
        elif u < 0.22 and days > 1:  # one day only
            d = rng.randrange(days)
            avail.append([s for s in range(slots) if day_of_slot[s] == d])
        else:
            avail.append(None)

    # requests
    out_meetings: list[dict[str, Any]] = []
    seen: set[tuple[int, int]] = set()
    tries = 0
    while len(out_meetings) < meetings and tries < meetings * 20:
        tries += 1
        d = rng.randrange(len(delegations))
        k = rng.choices(range(len(parks)), weights=pop)[0]
        if (d, k) in seen and rng.random() < 0.9:
            continue
        seen.add((d, k))
        dele, park = delegations[d], parks[k]
        nd = min(len(dele), rng.choice((1, 1, 1, 2, 2, 3)))
        nk = min(len(park), rng.choice((1, 1, 1, 2)))
        ps = rng.sample(dele, nd) + rng.sample(park, nk)
        if len(ps) < 2:
            continue
        u = rng.random()
        weight = 1 if u < 0.80 else (2 if u < 0.95 else 3)
        out_meetings.append(
            {
                "id": f"m{len(out_meetings)}",
                "participants": [people[i] for i in ps],
                "weight": weight,
            }
        )
    index = {pid: i for i, pid in enumerate(people)}

    # a few already published meetings, placed consistently
    busy: set[tuple[int, int]] = set()
    used: dict[int, int] = {}
    n_fixed: dict[int, int] = {}
    for m in out_meetings:
        if rng.random() >= fixed_share:
            continue
        ps = [index[p] for p in m["participants"]]
        if any(n_fixed.get(p, 0) >= 3 for p in ps):
            continue
        options = [
            s
            for s in range(slots)
            if all((avail[p] is None or s in avail[p]) and (p, s) not in busy for p in ps)
            and used.get(s, 0) < tables
        ]
        if not options:
            continue
        s = rng.choice(options)
        m["fixed"] = {"slot": s, "table": None}
        used[s] = used.get(s, 0) + 1
        for p in ps:
            busy.add((p, s))
            n_fixed[p] = n_fixed.get(p, 0) + 1
    # hand out distinct tables per slot, spread over the floor
    free_tables = {s: rng.sample(range(tables), tables) for s in used}
    for m in out_meetings:
        if "fixed" in m:
            m["fixed"]["table"] = free_tables[m["fixed"]["slot"]].pop()

    return {
        "slots": slots,
        "tables": tables,
        "day_of_slot": day_of_slot,
        "participants": [
            {"id": pid} if a is None else {"id": pid, "available": a}
            for pid, a in zip(people, avail, strict=True)
        ],
        "meetings": out_meetings,
    }


def generate_sparse(
    participants: int,
    meetings: int,
    slots: int,
    *,
    seed: int = 0,
    availability: float | None = None,
    weights: str = "uniform",
    days: int = 2,
) -> dict[str, Any]:
    """A sparse instance: two-person meetings between people drawn uniformly at random.

    ``availability`` ``None`` gives the talks-and-one-day pattern of :func:`generate`;
    a share (e.g. 0.8) makes each person available in a random set of about that share of
    the slots (plus or minus two).  ``weights`` is ``"uniform"`` (1, 2 or 3 equally often)
    or ``"skewed"`` (80% 1, 15% 2, 5% 3).  Tables are one per two people: they never bind.
    """
    rng = random.Random(seed)
    people = [f"p{i}" for i in range(participants)]
    day_of_slot = [s * days // slots for s in range(slots)]
    avail: list[list[int] | None] = []
    for _ in people:
        if availability is not None:
            k = round(slots * availability + rng.uniform(-2, 2))
            avail.append(sorted(rng.sample(range(slots), max(1, min(slots, k)))))
            continue
        u = rng.random()
        if u < 0.10:
            start = rng.randrange(slots)
            gone = set(range(start, min(slots, start + rng.randint(1, 3))))
            avail.append([s for s in range(slots) if s not in gone])
        elif u < 0.22 and days > 1:
            d = rng.randrange(days)
            avail.append([s for s in range(slots) if day_of_slot[s] == d])
        else:
            avail.append(None)
    seen: set[tuple[int, int]] = set()
    out_meetings: list[dict[str, Any]] = []
    limit = participants * (participants - 1) // 2
    while len(out_meetings) < min(meetings, limit):
        a, b = rng.sample(range(participants), 2)
        if (min(a, b), max(a, b)) in seen:
            continue
        seen.add((min(a, b), max(a, b)))
        if weights == "uniform":
            weight = rng.randint(1, 3)
        else:
            u = rng.random()
            weight = 1 if u < 0.80 else (2 if u < 0.95 else 3)
        out_meetings.append(
            {
                "id": f"m{len(out_meetings)}",
                "participants": [people[a], people[b]],
                "weight": weight,
            }
        )
    return {
        "slots": slots,
        "tables": max(1, participants // 2),
        "day_of_slot": day_of_slot,
        "participants": [
            {"id": pid} if a is None else {"id": pid, "available": a}
            for pid, a in zip(people, avail, strict=True)
        ],
        "meetings": out_meetings,
    }


SPARSE_SIZES: dict[str, dict[str, Any]] = {
    # time binds: about 12 requests per person for 10 slots (fewer for speakers and
    # one-day visitors)
    "sparse-small": {"participants": 80, "meetings": 500, "slots": 10},
    # each person free in about 80% of the slots, mostly weight-1 requests
    "sparse-medium": {
        "participants": 700,
        "meetings": 3000,
        "slots": 12,
        "availability": 0.8,
        "weights": "skewed",
    },
}


def generate_size(size: str, seed: int = 0) -> dict[str, Any]:
    """An instance of one of the bench sizes (``small``, ``medium``, ``large``,
    ``sparse-small``, ``sparse-medium``)."""
    if size in SPARSE_SIZES:
        return generate_sparse(**SPARSE_SIZES[size], seed=seed)
    return generate(**SIZES[size], seed=seed)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("size", choices=sorted(SIZES) + sorted(SPARSE_SIZES))
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    json.dump(generate_size(args.size, args.seed), sys.stdout)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
