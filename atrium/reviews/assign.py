"""Reviewer assignment for calls with review: exact, with its proof.

This module imports nothing from Django or from other Atrium apps (only numpy and OR-Tools'
min-cost flow), so it can run in a web request, a background task or on the command line::

    python -m atrium.reviews.assign INSTANCE.json [--time-limit SECONDS]

The problem
-----------
Reviewers ``r`` with a maximum load ``L_r``; submissions ``s`` that want ``k_s`` reviews;
an affinity ``w_rs`` in ``[0, 1]`` with at most three decimals (0 for a pair not listed);
conflicted pairs, which are forbidden; locked pairs (already assigned or reviewed), which
stay and count toward loads and ``k``.  A pair is assigned at most once.  An optional
``default_affinity`` (0 unless given) is the affinity of the pairs not listed; the service
layer can use it to make a "not willing" bid, listed as 0, a penalty against every pair
about which nothing is known.

The objective is lexicographic: first place as many reviews as possible, then maximise the
total affinity of the assigned pairs.  Affinities are handled in integer thousandths, so the
weight ``W_rs = M + 1000 w_rs`` with ``M`` larger than any possible total affinity turns the
two objectives into one, exactly.

The method (details in ``docs/reviews.md``)
-------------------------------------------
The constraint matrix is that of a bipartite transportation problem, so the linear
relaxation is integral and a min-cost flow gives the exact optimum.

1. Locked pairs are taken out and the loads and ``k`` reduced accordingly.
2. *Column generation on a flow network.*  Listed pairs are all arcs; of the (often
   millions of) *default pairs* (not listed, so of the default affinity, usually 0) only a
   few per submission are arcs at first.
   OR-Tools' ``SimpleMinCostFlow.solve_max_flow_with_min_cost`` solves the restricted
   network; node potentials are computed from its residual graph (Bellman-Ford), which gives
   dual prices ``u_r`` (reviewer) and ``v_s`` (submission).  Any omitted pair with
   ``W_rs > u_r + v_s`` is added and the network solved again; none is left after a few
   rounds.
3. *The proof.*  For **any** ``u, v >= 0`` the LP dual gives the upper bound
   ``D = sum L_r u_r + sum k_s v_s + sum over allowed pairs of max(0, W_rs - u_r - v_s)``.
   It is computed from the instance and ``u, v`` only, over every allowed pair (the default
   pairs through sorted prices and prefix sums, so never one Python object per pair).  ``D`` bounds
   ``M * placed + affinity`` of every assignment, so ``D == M * placed + objective`` proves
   both that no assignment places more reviews and that none with as many has more affinity.

Length (over 600 lines, on purpose): the solver, its dual proof, the input checks and the
command line are one contract; the independent checker is apart (``checker.py``).
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import time
from dataclasses import dataclass
from typing import Any

import numpy as np

__all__ = [
    "Instance",
    "InstanceError",
    "main",
    "parse_instance",
    "proof_value",
    "solve",
    "solve_instance",
]

SCALE = 1000  # affinities are handled in integer thousandths

# Default-pair arcs per submission in the first round: k plus this.
_DEFAULT_EXTRA = 3
# Pricing adds at most this many default-pair arcs per submission and round, beyond k.
_PRICE_EXTRA = 2


class InstanceError(ValueError):
    """The instance is malformed; the message names the item at fault."""


@dataclass(frozen=True)
class Instance:
    """A validated instance, with reviewers and submissions as indices."""

    reviewer_ids: list[str]
    submission_ids: list[str]
    loads: np.ndarray  # int64, per reviewer
    demands: np.ndarray  # int64, per submission
    aff_r: np.ndarray  # listed affinities (int64 indices and thousandths)
    aff_s: np.ndarray
    aff_w: np.ndarray
    conf_r: np.ndarray  # conflicted pairs, deduplicated
    conf_s: np.ndarray
    lock_r: np.ndarray  # locked pairs
    lock_s: np.ndarray
    default_w: int = 0  # affinity (thousandths) of the pairs not listed

    @property
    def n_reviewers(self) -> int:
        return len(self.reviewer_ids)

    @property
    def n_submissions(self) -> int:
        return len(self.submission_ids)

    def keys(self, r: np.ndarray, s: np.ndarray) -> np.ndarray:
        """One int64 key per pair (reviewer-major)."""
        return r.astype(np.int64) * self.n_submissions + s.astype(np.int64)


# --------------------------------------------------------------------------- parsing


def _fail(message: str) -> None:
    raise InstanceError(message)


def _entities(data: dict, name: str, count_field: str) -> tuple[list[str], list[int]]:
    items = data.get(name)
    if not isinstance(items, list):
        _fail(f"{name}: expected a list")
    ids: list[str] = []
    counts: list[int] = []
    seen: set[str] = set()
    for i, item in enumerate(items):
        if not isinstance(item, dict):
            _fail(f"{name}[{i}]: expected an object with id and {count_field}")
        ident = item.get("id")
        if not isinstance(ident, str) or not ident:
            _fail(f"{name}[{i}]: id must be a non-empty string")
        if ident in seen:
            _fail(f"{name}[{i}]: duplicated id {ident!r}")
        seen.add(ident)
        count = item.get(count_field)
        if isinstance(count, bool) or not isinstance(count, int) or count < 0:
            _fail(f"{name}[{i}] ({ident!r}): {count_field} must be a non-negative integer")
        ids.append(ident)
        counts.append(count)
    return ids, counts


def _bad_pair(name: str, i: int, item: Any, rindex: dict, sindex: dict, width: int) -> None:
    """Name what is wrong with ``item``, the ``i``-th entry of ``name`` (if anything)."""
    if not isinstance(item, list) or len(item) != width:
        shape = "[reviewer, submission, affinity]" if width == 3 else "[reviewer, submission]"
        _fail(f"{name}[{i}]: expected {shape}")
    if not isinstance(item[0], str) or item[0] not in rindex:
        _fail(f"{name}[{i}]: unknown reviewer {item[0]!r}")
    if not isinstance(item[1], str) or item[1] not in sindex:
        _fail(f"{name}[{i}]: unknown submission {item[1]!r}")
    if width == 3:
        _thousandths(item[2], f"{name}[{i}] ({item[0]}, {item[1]}): affinity")


def _thousandths(w: Any, what: str) -> int:
    """An affinity in [0, 1] with at most three decimals, in thousandths."""
    if isinstance(w, bool) or not isinstance(w, int | float) or not math.isfinite(w):
        _fail(f"{what} must be a number")
    if w < 0 or w > 1:
        _fail(f"{what} {w} is not in [0, 1]")
    if abs(w * SCALE - round(w * SCALE)) > 1e-6:
        _fail(f"{what} {w} has more than three decimals")
    return round(w * SCALE)


def _pairs(
    data: dict, name: str, rindex: dict[str, int], sindex: dict[str, int], width: int
) -> tuple[list[int], list[int], np.ndarray]:
    """Reviewer and submission indices (and affinities in thousandths) of a list of pairs.

    A fast pass does the lookups and checks the numbers with numpy; the first failure is
    then described by :func:`_bad_pair`.
    """
    items = data.get(name, [])
    if not isinstance(items, list):
        _fail(f"{name}: expected a list")
    rs: list[int] = []
    ss: list[int] = []
    raw: list[Any] = []
    try:
        for item in items:
            if type(item) is not list or len(item) != width:
                raise LookupError
            r = rindex[item[0]]
            s = sindex[item[1]]
            rs.append(r)
            ss.append(s)
        if width == 3:
            raw = [item[2] for item in items]
    except (LookupError, TypeError):
        i = len(ss)  # the items before it all passed
        _bad_pair(name, i, items[i], rindex, sindex, width)
        raise  # pragma: no cover - _bad_pair always fails here
    if width != 3:
        return rs, ss, np.zeros(0, dtype=np.int64)
    for i, w in enumerate(raw):
        if type(w) is not float and type(w) is not int:
            _bad_pair(name, i, items[i], rindex, sindex, width)
    w = np.asarray(raw, dtype=np.float64) * SCALE
    thousandths = np.round(w)
    with np.errstate(invalid="ignore"):
        bad = ~np.isfinite(w) | (w < 0) | (w > SCALE) | (np.abs(w - thousandths) > 1e-6)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        _bad_pair(name, i, items[i], rindex, sindex, width)
    return rs, ss, thousandths.astype(np.int64)


def _sorted_unique(keys: np.ndarray) -> np.ndarray:
    """The distinct values of ``keys``, sorted (a plain sort: faster than ``np.unique``)."""
    keys = np.sort(keys)
    if len(keys) < 2:
        return keys
    return keys[np.concatenate([[True], keys[1:] != keys[:-1]])]


def _first_duplicate(keys: np.ndarray) -> int | None:
    """Position of the first key that already occurred earlier, or None."""
    if len(keys) < 2:
        return None
    order = np.argsort(keys, kind="stable")
    same = np.flatnonzero(keys[order][1:] == keys[order][:-1])
    if len(same) == 0:
        return None
    return int(order[same + 1].min())


def parse_instance(data: Any) -> Instance:
    """Validate the JSON-shaped instance; raise :class:`InstanceError` naming the bad item."""
    if not isinstance(data, dict):
        _fail("the instance must be a JSON object")
    for name in ("reviewers", "submissions"):
        if name not in data:
            _fail(f"{name}: missing")
    reviewer_ids, loads = _entities(data, "reviewers", "max_load")
    submission_ids, demands = _entities(data, "submissions", "reviews")
    rindex = {r: i for i, r in enumerate(reviewer_ids)}
    sindex = {s: i for i, s in enumerate(submission_ids)}
    ar, as_, aw = _pairs(data, "affinity", rindex, sindex, 3)
    cr, cs, _ = _pairs(data, "conflicts", rindex, sindex, 2)
    lr, ls, _ = _pairs(data, "locked", rindex, sindex, 2)

    def arr(x: list[int]) -> np.ndarray:
        return np.asarray(x, dtype=np.int64)

    n_s = len(submission_ids)
    inst = Instance(
        reviewer_ids=reviewer_ids,
        submission_ids=submission_ids,
        loads=arr(loads),
        demands=arr(demands),
        aff_r=arr(ar),
        aff_s=arr(as_),
        aff_w=arr(aw),
        conf_r=arr(cr),
        conf_s=arr(cs),
        lock_r=arr(lr),
        lock_s=arr(ls),
        default_w=_thousandths(data.get("default_affinity", 0), "default_affinity"),
    )
    dup = _first_duplicate(inst.keys(inst.aff_r, inst.aff_s))
    if dup is not None:
        _fail(
            f"affinity[{dup}]: the pair ({reviewer_ids[ar[dup]]}, {submission_ids[as_[dup]]}) "
            "is listed twice"
        )
    lock_keys = inst.keys(inst.lock_r, inst.lock_s)
    dup = _first_duplicate(lock_keys)
    if dup is not None:
        _fail(
            f"locked[{dup}]: the pair ({reviewer_ids[lr[dup]]}, {submission_ids[ls[dup]]}) is "
            "listed twice"
        )
    conf_keys = _sorted_unique(inst.keys(inst.conf_r, inst.conf_s))
    bad = np.flatnonzero(_in_sorted(lock_keys, conf_keys))
    if len(bad):
        i = int(bad[0])
        _fail(
            f"locked[{i}]: the pair ({reviewer_ids[lr[i]]}, {submission_ids[ls[i]]}) is conflicted"
        )
    over = np.flatnonzero(np.bincount(inst.lock_r, minlength=len(loads)) > inst.loads)
    if len(over):
        r = int(over[0])
        _fail(
            f"locked: reviewer {reviewer_ids[r]!r} has more locked pairs than max_load {loads[r]}"
        )
    over = np.flatnonzero(np.bincount(inst.lock_s, minlength=n_s) > inst.demands)
    if len(over):
        s = int(over[0])
        _fail(
            f"locked: submission {submission_ids[s]!r} has more locked pairs than reviews "
            f"{demands[s]}"
        )
    return Instance(
        **{
            **inst.__dict__,
            "conf_r": conf_keys // max(n_s, 1),
            "conf_s": conf_keys % max(n_s, 1),
        }
    )


# --------------------------------------------------------------------------- the solver


@dataclass
class _Residual:
    """The problem left once the locked pairs are taken out."""

    loads: np.ndarray  # remaining loads L'
    demands: np.ndarray  # remaining reviews k'
    excl_keys: np.ndarray  # sorted keys of conflicted or locked pairs (never assignable)
    listed_r: np.ndarray  # allowed pairs listed with an affinity other than the default
    listed_s: np.ndarray
    listed_w: np.ndarray
    listed_keys: np.ndarray  # their keys, sorted; listed_* are in this order
    big_m: int  # M: larger than any total affinity (in thousandths)
    base: int  # M + the default affinity: the weight of every other allowed pair


def _residual(inst: Instance) -> _Residual:
    n_r, n_s = inst.n_reviewers, inst.n_submissions
    loads = inst.loads - np.bincount(inst.lock_r, minlength=n_r)
    demands = inst.demands - np.bincount(inst.lock_s, minlength=n_s)
    excl = _sorted_unique(
        np.concatenate([inst.keys(inst.conf_r, inst.conf_s), inst.keys(inst.lock_r, inst.lock_s)])
    )
    keep = inst.aff_w != inst.default_w  # a pair listed with the default is a default pair
    keys = inst.keys(inst.aff_r, inst.aff_s)
    keep &= ~_in_sorted(keys, excl)
    keys, r, s, w = keys[keep], inst.aff_r[keep], inst.aff_s[keep], inst.aff_w[keep]
    order = np.argsort(keys, kind="stable")
    most = min(int(loads.sum()), int(demands.sum()))
    return _Residual(
        loads=loads,
        demands=demands,
        excl_keys=excl,
        listed_r=r[order],
        listed_s=s[order],
        listed_w=w[order],
        listed_keys=keys[order],
        big_m=SCALE * most + 1,
        base=SCALE * most + 1 + inst.default_w,
    )


def _in_sorted(keys: np.ndarray, sorted_keys: np.ndarray) -> np.ndarray:
    """Membership of ``keys`` in the sorted array ``sorted_keys``."""
    if len(sorted_keys) == 0:
        return np.zeros(len(keys), dtype=bool)
    pos = np.searchsorted(sorted_keys, keys)
    pos[pos == len(sorted_keys)] = 0
    return sorted_keys[pos] == keys


def _initial_default_arcs(inst: Instance, res: _Residual) -> tuple[np.ndarray, np.ndarray]:
    """A few default pairs per submission, spread evenly over the reviewers."""
    n_s = inst.n_submissions
    active_r = np.flatnonzero(res.loads > 0)
    active_s = np.flatnonzero(res.demands > 0)
    if len(active_r) == 0 or len(active_s) == 0:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    width = np.minimum(res.demands[active_s] + _DEFAULT_EXTRA, len(active_r))
    # each submission takes the next reviewers after those of the previous one
    s = np.repeat(active_s, width)
    r = active_r[np.arange(len(s)) % len(active_r)]
    keys = r * n_s + s
    keep = ~_in_sorted(keys, res.excl_keys) & ~_in_sorted(keys, res.listed_keys)
    keys = _sorted_unique(keys[keep])
    return keys // n_s, keys % n_s


def _solve_flow(
    n_r: int, n_s: int, res: _Residual, arc_r: np.ndarray, arc_s: np.ndarray, arc_w: np.ndarray
) -> np.ndarray:
    """Max flow of min cost on the restricted network; returns the 0/1 flow of each pair arc."""
    from ortools.graph.python import min_cost_flow

    src, snk = n_r + n_s, n_r + n_s + 1
    active_r = np.flatnonzero(res.loads > 0)
    active_s = np.flatnonzero(res.demands > 0)
    flow = min_cost_flow.SimpleMinCostFlow()
    n_pairs = len(arc_r)
    if n_pairs:
        flow.add_arcs_with_capacity_and_unit_cost(
            arc_r.astype(np.int32),
            (arc_s + n_r).astype(np.int32),
            np.ones(n_pairs, dtype=np.int64),
            -arc_w.astype(np.int64),
        )
    flow.add_arcs_with_capacity_and_unit_cost(
        np.full(len(active_r), src, dtype=np.int32),
        active_r.astype(np.int32),
        res.loads[active_r].astype(np.int64),
        np.zeros(len(active_r), dtype=np.int64),
    )
    flow.add_arcs_with_capacity_and_unit_cost(
        (active_s + n_r).astype(np.int32),
        np.full(len(active_s), snk, dtype=np.int32),
        res.demands[active_s].astype(np.int64),
        np.zeros(len(active_s), dtype=np.int64),
    )
    supplies = np.zeros(n_r + n_s + 2, dtype=np.int64)
    most = min(int(res.loads[active_r].sum()), int(res.demands[active_s].sum()))
    supplies[src], supplies[snk] = most, -most
    flow.set_nodes_supplies(np.arange(n_r + n_s + 2, dtype=np.int32), supplies)
    status = flow.solve_max_flow_with_min_cost()
    if status != flow.OPTIMAL:  # pragma: no cover - OR-Tools failure, not an input problem
        raise RuntimeError(f"min-cost flow failed with status {status}")
    if not n_pairs:
        return np.zeros(0, dtype=np.int64)
    return np.asarray(flow.flows(np.arange(n_pairs, dtype=np.int32)), dtype=np.int64)


def _potentials(
    n_r: int,
    n_s: int,
    res: _Residual,
    arc_r: np.ndarray,
    arc_s: np.ndarray,
    arc_big_w: np.ndarray,
    used: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Dual prices ``u`` (reviewers) and ``v`` (submissions) from the optimal flow.

    Node potentials are shortest distances in the residual graph of the circulation
    (costs ``-W`` on pair arcs, a free return arc from sink to source), by a vectorised
    Bellman-Ford that only relaxes arcs whose tail moved in the previous pass.  Nodes outside
    the network (no load or nothing wanted) get a price that makes all their pairs worthless.
    """
    src, snk = n_r + n_s, n_r + n_s + 1
    load_used = np.bincount(arc_r[used], minlength=n_r)
    got = np.bincount(arc_s[used], minlength=n_s)
    active_r = res.loads > 0
    active_s = res.demands > 0
    r_nodes = np.flatnonzero(active_r)
    s_nodes = np.flatnonzero(active_s)
    total = int(used.sum())
    tails: list[np.ndarray] = []
    heads: list[np.ndarray] = []
    costs: list[np.ndarray] = []

    def add(t: np.ndarray, h: np.ndarray, c: np.ndarray | int) -> None:
        tails.append(np.asarray(t, dtype=np.int64))
        heads.append(np.asarray(h, dtype=np.int64))
        costs.append(np.broadcast_to(np.asarray(c, dtype=np.int64), len(tails[-1])))

    free = ~used
    add(arc_r[free], arc_s[free] + n_r, -arc_big_w[free])
    add(arc_s[used] + n_r, arc_r[used], arc_big_w[used])
    spare_r = r_nodes[load_used[r_nodes] < res.loads[r_nodes]]
    add(np.full(len(spare_r), src), spare_r, 0)
    busy_r = r_nodes[load_used[r_nodes] > 0]
    add(busy_r, np.full(len(busy_r), src), 0)
    spare_s = s_nodes[got[s_nodes] < res.demands[s_nodes]]
    add(spare_s + n_r, np.full(len(spare_s), snk), 0)
    busy_s = s_nodes[got[s_nodes] > 0]
    add(np.full(len(busy_s), snk), busy_s + n_r, 0)
    add(np.array([snk]), np.array([src]), 0)
    if total:
        add(np.array([src]), np.array([snk]), 0)
    tail = np.concatenate(tails)
    head = np.concatenate(heads)
    cost = np.concatenate(costs)

    n = n_r + n_s + 2
    dist = np.zeros(n, dtype=np.int64)  # a virtual root reaches every node at cost 0
    moved = np.ones(n, dtype=bool)
    for _ in range(n + 1):
        live = moved[tail]
        if not live.any():
            break
        t, h = tail[live], head[live]
        cand = dist[t] + cost[live]
        better = cand < dist[h]
        if not better.any():
            break
        before = dist.copy()
        np.minimum.at(dist, h[better], cand[better])
        moved = dist < before
    else:  # pragma: no cover - a negative cycle means the flow was not optimal
        raise RuntimeError("the flow is not optimal: negative cycle in the residual graph")

    unreachable = int(res.big_m + SCALE)  # a price that makes every pair worthless
    u = np.full(n_r, unreachable, dtype=np.int64)
    v = np.full(n_s, unreachable, dtype=np.int64)
    u[r_nodes] = np.maximum(0, dist[r_nodes] - dist[src])
    v[s_nodes] = np.maximum(0, dist[snk] - dist[s_nodes + n_r])
    return u, v


def dual_bound(inst: Instance, res: _Residual, u: np.ndarray, v: np.ndarray) -> int:
    """The LP dual value at prices ``u, v >= 0``: an upper bound on ``M*placed + affinity``.

    ``sum L'_r u_r + sum k'_s v_s + sum over allowed pairs of max(0, W_rs - u_r - v_s)``,
    where the allowed pairs are all pairs that are neither conflicted nor locked.  Default
    pairs (possibly millions) are summed per submission through the sorted prices:
    ``sum_r max(0, c_s - u_r)`` for all reviewers, minus the excluded and listed pairs.
    """
    n_s = inst.n_submissions
    m = res.big_m
    total = int((res.loads * u).sum()) + int((res.demands * v).sum())
    # listed pairs
    gain = m + res.listed_w - u[res.listed_r] - v[res.listed_s]
    total += int(np.maximum(gain, 0).sum())
    # default pairs: all reviewers, per submission ...
    u_sorted = np.sort(u)
    prefix = np.concatenate([[0], np.cumsum(u_sorted)])
    c = res.base - v
    count = np.searchsorted(u_sorted, c, side="left")  # reviewers with u_r < c_s
    total += int((count * c - prefix[count]).sum())
    # ... minus the pairs that are not default pairs (conflicted, locked or listed)
    not_default = _sorted_unique(np.concatenate([res.excl_keys, res.listed_keys]))
    zr, zs = not_default // max(n_s, 1), not_default % max(n_s, 1)
    total -= int(np.maximum(c[zs] - u[zr], 0).sum())
    return total


def proof_value(inst: Instance, proof: dict[str, Any]) -> int:
    """Recompute the dual value of an answer's ``proof`` from its prices and the instance.

    The prices are those of the problem left once the locked pairs are taken out: loads and
    reviews reduced by the locked pairs, and only the pairs that are neither conflicted nor
    locked.  Raises ``ValueError`` if a price is negative or the lists have the wrong length.
    """
    res = _residual(inst)
    if proof["weight_per_review"] != res.big_m:
        raise ValueError(f"weight_per_review should be {res.big_m}")
    u = np.asarray(proof["reviewer_prices"], dtype=np.int64)
    v = np.asarray(proof["submission_prices"], dtype=np.int64)
    if len(u) != inst.n_reviewers or len(v) != inst.n_submissions:
        raise ValueError("one price per reviewer and per submission is needed")
    if (u < 0).any() or (v < 0).any():
        raise ValueError("prices must be non-negative")
    return dual_bound(inst, res, u, v)


def _price_default_pairs(
    inst: Instance,
    res: _Residual,
    u: np.ndarray,
    v: np.ndarray,
    arc_keys: np.ndarray,
) -> np.ndarray:
    """Keys of omitted default pairs with ``base > u_r + v_s`` (a few per submission)."""
    n_s = inst.n_submissions
    active_r = np.flatnonzero(res.loads > 0)
    active_s = np.flatnonzero(res.demands > 0)
    if len(active_r) == 0 or len(active_s) == 0:
        return np.zeros(0, np.int64)
    order = active_r[np.argsort(u[active_r], kind="stable")]
    c = res.base - v[active_s]
    # only submissions for which the cheapest reviewer could be a violation
    todo = active_s[c > u[order[0]]]
    quota = res.demands + _PRICE_EXTRA
    found: list[np.ndarray] = []
    width = 64
    while len(todo):
        width = min(width, len(order))
        r = np.broadcast_to(order[:width], (len(todo), width))
        s = np.broadcast_to(todo[:, None], (len(todo), width))
        keys = r * n_s + s
        blocked = (
            _in_sorted(keys.ravel(), res.excl_keys)
            | _in_sorted(keys.ravel(), res.listed_keys)
            | _in_sorted(keys.ravel(), arc_keys)
        ).reshape(keys.shape)
        violated = ((res.base - v[todo])[:, None] > u[r]) & ~blocked
        rank = np.cumsum(violated, axis=1)
        take = violated & (rank <= quota[todo][:, None])
        found.append(keys[take])
        # a submission may have more violations beyond the window only if the window was
        # all blocked or violated up to its end and its quota is not filled
        again = (rank[:, -1] < quota[todo]) & ((res.base - v[todo]) > u[order[width - 1]])
        if width >= len(order):
            break
        todo = todo[again]
        width *= 4
    return _sorted_unique(np.concatenate(found)) if found else np.zeros(0, np.int64)


def _price_listed_pairs(
    res: _Residual, u: np.ndarray, v: np.ndarray, in_arcs: np.ndarray
) -> np.ndarray:
    """Indices (into ``listed_*``) of omitted listed pairs with ``W > u_r + v_s``."""
    gain = res.big_m + res.listed_w - u[res.listed_r] - v[res.listed_s]
    return np.flatnonzero((gain > 0) & ~in_arcs)


def _short_reasons(inst: Instance, sel_r: np.ndarray, sel_s: np.ndarray) -> list[dict[str, Any]]:
    """For each submission with fewer than ``k`` reviews, what blocks it, with the counts."""
    n_r, n_s = inst.n_reviewers, inst.n_submissions
    got = np.bincount(sel_s, minlength=n_s)
    short = np.flatnonzero(got < inst.demands)
    if len(short) == 0:
        return []
    load = np.bincount(sel_r, minlength=n_r)
    full = load >= inst.loads
    conflicts = np.bincount(inst.conf_s, minlength=n_s)
    full_conflicted = np.bincount(inst.conf_s[full[inst.conf_r]], minlength=n_s)
    full_assigned = np.bincount(sel_s[full[sel_r]], minlength=n_s)
    n_full = int(full.sum())
    out: list[dict[str, Any]] = []
    for s in short.tolist():
        eligible = n_r - int(conflicts[s])
        assigned = int(got[s])
        others = eligible - assigned
        others_full = n_full - int(full_conflicted[s]) - int(full_assigned[s])
        missing = int(inst.demands[s] - got[s])
        code = "conflicts" if eligible < inst.demands[s] else "loads"
        if eligible == 0:
            reason = "no reviewer without a conflict"
        elif code == "conflicts":
            plural = "s" if eligible != 1 else ""
            reason = f"only {eligible} reviewer{plural} without a conflict"
        else:
            reason = f"{eligible} reviewers without a conflict"
        if others == others_full > 0:
            reason += f": {assigned} assigned, the other {others_full} at their maximum load"
        elif others:  # only when a time limit stopped the search before the optimum
            reason += (
                f": {assigned} assigned, {others_full} at their maximum load, "
                f"{others - others_full} with load left"
            )
        out.append(
            {
                "submission": inst.submission_ids[s],
                "missing": missing,
                "reason": reason,
                "code": code,
                "eligible": eligible,
                "assigned": assigned,
                "eligible_full": others_full,
                "eligible_other": others,
            }
        )
    return out


def _affinity_sum(inst: Instance, r: np.ndarray, s: np.ndarray) -> int:
    """Total affinity (thousandths) of the pairs ``(r, s)``; unlisted pairs count the default."""
    if len(r) == 0:
        return 0
    if len(inst.aff_w) == 0:
        return inst.default_w * len(r)
    keys = inst.keys(inst.aff_r, inst.aff_s)
    order = np.argsort(keys)
    keys = keys[order]
    want = inst.keys(r, s)
    pos = np.minimum(np.searchsorted(keys, want), len(keys) - 1)
    return int(np.where(keys[pos] == want, inst.aff_w[order][pos], inst.default_w).sum())


def solve_instance(inst: Instance, *, time_limit: float | None = None) -> dict[str, Any]:
    """Solve a parsed instance; same output as :func:`solve` (without ``seconds``)."""
    start = time.perf_counter()
    n_r, n_s = inst.n_reviewers, inst.n_submissions
    res = _residual(inst)
    m = res.big_m

    zr, zs = _initial_default_arcs(inst, res)
    default_keys = zr * n_s + zs  # sorted
    listed_in = np.ones(len(res.listed_keys), dtype=bool)  # every listed pair is an arc
    rounds = 0
    while True:
        rounds += 1
        zr, zs = default_keys // max(n_s, 1), default_keys % max(n_s, 1)
        arc_r = np.concatenate([res.listed_r[listed_in], zr])
        arc_s = np.concatenate([res.listed_s[listed_in], zs])
        arc_w = np.concatenate([res.listed_w[listed_in], np.full(len(zr), inst.default_w)])
        # arcs touching an inactive node cannot carry flow
        live = (res.loads[arc_r] > 0) & (res.demands[arc_s] > 0)
        arc_r, arc_s, arc_w = arc_r[live], arc_s[live], arc_w[live]
        used = _solve_flow(n_r, n_s, res, arc_r, arc_s, arc_w) > 0
        u, v = _potentials(n_r, n_s, res, arc_r, arc_s, arc_w + m, used)
        new_default = _price_default_pairs(inst, res, u, v, default_keys)
        new_listed = _price_listed_pairs(res, u, v, listed_in)
        if len(new_default) == 0 and len(new_listed) == 0:
            break
        if time_limit is not None and time.perf_counter() - start > time_limit:
            break
        default_keys = _sorted_unique(np.concatenate([default_keys, new_default]))
        listed_in[new_listed] = True

    sel_r = np.concatenate([inst.lock_r, arc_r[used]])
    sel_s = np.concatenate([inst.lock_s, arc_s[used]])
    order = np.lexsort((sel_r, sel_s))
    sel_r, sel_s = sel_r[order], sel_s[order]
    # affinities of the chosen pairs, looked up afresh in the instance
    objective = _affinity_sum(inst, sel_r, sel_s)
    locked_w = _affinity_sum(inst, inst.lock_r, inst.lock_s)
    free_placed = int(used.sum())

    bound = dual_bound(inst, res, u, v)
    primal = m * free_placed + (objective - locked_w)
    if bound < primal:  # pragma: no cover - weak duality makes this impossible
        raise RuntimeError(f"dual bound {bound} below the primal value {primal}")
    placed_bound = len(inst.lock_r) + bound // m
    upper = locked_w + (bound - m * free_placed)
    return {
        "assignments": [
            [inst.reviewer_ids[r], inst.submission_ids[s]]
            for r, s in zip(sel_r.tolist(), sel_s.tolist(), strict=True)
        ],
        "placed": len(sel_r),
        "objective": objective / SCALE,
        "upper_bound": upper / SCALE,
        "status": "optimal" if bound == primal else "feasible",
        "short": _short_reasons(inst, sel_r, sel_s),
        "wanted": int(inst.demands.sum()),
        "placed_upper_bound": int(placed_bound),
        "rounds": rounds,
        "proof": {
            "weight_per_review": m,
            "reviewer_prices": u.tolist(),
            "submission_prices": v.tolist(),
            "dual_value": bound,
        },
    }


def solve(instance: dict, *, time_limit: float | None = None) -> dict[str, Any]:
    """Assign reviewers to submissions; the JSON-shaped instance in, the JSON-shaped answer out.

    Raises :class:`InstanceError` (a ``ValueError``) naming the bad item.  ``time_limit``
    (seconds) stops adding columns after the round that passes it; the answer is then still
    feasible, with ``status`` ``"feasible"`` if its bound was not yet reached.
    """
    start = time.perf_counter()
    out = solve_instance(parse_instance(instance), time_limit=time_limit)
    out["seconds"] = round(time.perf_counter() - start, 3)
    return out


# --------------------------------------------------------------------------- command line


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m atrium.reviews.assign",
        description="Assign reviewers to submissions, optimally, with the proof.",
    )
    parser.add_argument("instance", help="the instance, a JSON file ('-' for stdin)")
    parser.add_argument("--time-limit", type=float, default=None, metavar="SECONDS")
    args = parser.parse_args(argv)
    start = time.perf_counter()
    try:
        if args.instance == "-":
            data = json.load(sys.stdin)
        else:
            with open(args.instance, encoding="utf-8") as fh:
                data = json.load(fh)
    except OSError as exc:
        print(f"{args.instance}: cannot read: {exc.strerror}", file=sys.stderr)
        return 2
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        print(f"{args.instance}: malformed JSON: {exc}", file=sys.stderr)
        return 2
    try:
        inst = parse_instance(data)
    except InstanceError as exc:
        print(f"{args.instance}: {exc}", file=sys.stderr)
        return 2
    del data  # the parsed arrays are all the solver needs
    remaining = None
    if args.time_limit is not None:
        remaining = max(0.0, args.time_limit - (time.perf_counter() - start))
    out = solve_instance(inst, time_limit=remaining)
    out["seconds"] = round(time.perf_counter() - start, 3)
    json.dump(out, sys.stdout, ensure_ascii=False)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
