"""Large-neighbourhood search for the matchmaking scheduler (pure standard library).

A helper module of :mod:`atrium.matchmaking.solver`, kept apart because ``solver.py`` is
already well past 600 lines.  It works on the solver's internal ``_State`` (slot sets as int
bitmasks, ``place``/``remove`` with an undo log) and imports nothing from Django.

One *move*: pick a few people around an unscheduled meeting, take every meeting of those
people out of the schedule (fixed meetings stay), and re-place them **exactly** by a small
branch and bound, everything else staying where it is.  The branch and bound starts from the
current schedule as its incumbent, so a move never loses weight; it either finds more weight,
or another schedule of the same weight (which moves the search elsewhere), or leaves the
schedule as it was.  The neighbourhood grows while the branch and bound completes within its
node budget and shrinks when it does not.

Everything random comes from the ``random.Random`` passed in, so the moves are the same for
a given seed; only the number of moves depends on the time left (or on ``max_moves``).
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from typing import Any

__all__ = ["kempe_insert", "lns", "reoptimise"]

KEMPE_MAX = 64  # meetings moved by one Kempe swap at most
_DROP_ROUNDS = 20  # rounds of drop-and-insert steps per cycle (fewer if a round keeps none)
_EXACT_MOVES = 3  # exact neighbourhood moves per cycle
_KEMPE_TRIES = 3000  # unscheduled meetings tried by Kempe swaps alone, per cycle


def _pop(mask: int) -> int:
    return mask.bit_count()


def reoptimise(st: Any, group: list[int], rng: random.Random, node_limit: int) -> tuple[bool, int]:
    """Re-place the meetings of ``group`` exactly, the rest of ``st`` staying put.

    Returns ``(complete, nodes)``: whether the search finished within ``node_limit`` nodes
    (then ``st`` holds a best schedule of the group), and the nodes used.  Never lowers
    ``st.value``: the current placement is the incumbent, and a schedule of equal weight is
    taken only if it is found before the search ends (so ties move the search on).
    """
    md = st.md
    w = md.w
    parts = md.parts
    start_value = st.value
    current = {m: st.slot_of[m] for m in group}
    for m in group:
        if st.slot_of[m] >= 0:
            st.remove(m)
    st.log.clear()
    tiebreak = {m: rng.random() for m in group}
    order = sorted(group, key=lambda m: (-w[m], _pop(st.free_slots(m)), tiebreak[m]))
    n = len(order)
    best_value = start_value - 1e-6  # an equal-weight schedule found first is taken
    best = current
    found_other = False
    nodes = 0
    complete = True
    free_slots = st.free_slots
    busy = st.busy
    avail = md.avail

    def bound(i: int) -> float:
        # each remaining meeting is charged to its participant with the fewest free slots;
        # a participant takes at most as many meetings as the slots those meetings can use
        charged: dict[int, list[tuple[float, int]]] = {}
        total = st.value
        for j in range(i, n):
            m = order[j]
            f = free_slots(m)
            if not f:
                continue
            p = min(parts[m], key=lambda q: _pop(avail[q] & ~busy[q]))
            charged.setdefault(p, []).append((w[m], f))
        for lst in charged.values():
            union = 0
            for _, f in lst:
                union |= f
            k = _pop(union)
            if len(lst) <= k:
                total += sum(x for x, _ in lst)
            else:
                total += sum(sorted((x for x, _ in lst), reverse=True)[:k])
        return total

    def dfs(i: int) -> None:
        nonlocal nodes, best_value, best, complete, found_other
        if not complete:
            return
        nodes += 1
        if nodes > node_limit:
            complete = False
            return
        if st.value > best_value + 1e-9:
            best_value = st.value
            best = {m: st.slot_of[m] for m in order}
            found_other = True
        if i == n:
            return
        if bound(i) <= best_value + 1e-9:
            return
        m = order[i]
        slots = [s for s in range(st.S) if free_slots(m) >> s & 1]
        rng.shuffle(slots)
        for s in slots:
            st.place(m, s)
            dfs(i + 1)
            st.remove(m)
            if not complete:
                return
        dfs(i + 1)

    dfs(0)
    st.log.clear()
    for m in order:
        if st.slot_of[m] >= 0:
            st.remove(m)
    chosen = best if found_other else current
    for m in order:
        if chosen[m] >= 0:
            st.place(m, chosen[m])
    st.log.clear()
    assert st.value >= start_value - 1e-6
    return complete, nodes


def kempe_insert(st: Any, m: int, rng: random.Random) -> bool:
    """Schedule the unscheduled meeting ``m`` by one Kempe swap; True if it worked.

    For two slots ``s1`` and ``s2``, the meetings in those slots that are connected through
    shared participants (starting from the meetings that block ``m`` in ``s1``) swap slots:
    ``s1`` to ``s2`` and back.  Each participant's meetings stay in distinct slots, so when
    every moved participant is available in both slots, no moved meeting is fixed, the tables
    suffice and ``m``'s participants are then free in ``s1``, ``m`` goes into ``s1``.  The
    chain can be long, which depth-bounded ejection chains cannot do.
    """
    md = st.md
    S = st.S
    occ = st.occ
    busy = st.busy
    parts = md.parts
    common = md.common[m]
    ps = parts[m]
    s1_options = [s for s in range(S) if common >> s & 1]
    rng.shuffle(s1_options)
    for s1 in s1_options:
        blocked = [p for p in ps if busy[p] >> s1 & 1]
        if not blocked:
            continue
        start = [occ[p * S + s1] for p in blocked]
        if any(md.fixed[b] is not None for b in start):
            continue
        if st.load[s1] - len(set(start)) >= md.cap[s1]:
            continue  # even a swap that empties the way would leave no table
        # the blocked participants take their s1 meetings to s2: they must be free there
        need = 0
        for p in blocked:
            need |= busy[p]
        s2_options = [
            s
            for s in range(S)
            if s != s1 and common >> s & 1 and not (st.fullmask >> s & 1) and not need >> s & 1
        ]
        rng.shuffle(s2_options)
        others = set(ps).difference(blocked)
        for s2 in s2_options:
            bit = (1 << s1) | (1 << s2)
            comp = set(start)
            todo = list(start)
            ok = True
            while todo and ok:
                b = todo.pop()
                if md.fixed[b] is not None or md.common[b] & bit != bit:
                    ok = False
                    break
                for q in parts[b]:
                    if q in others:
                        ok = False  # a free participant of m would be pulled into s1
                        break
                    for s in (s1, s2):
                        c = occ[q * S + s]
                        if c >= 0 and c not in comp:
                            comp.add(c)
                            todo.append(c)
                if len(comp) > KEMPE_MAX:
                    ok = False
            if not ok:
                continue
            n1 = sum(1 for b in comp if st.slot_of[b] == s1)
            n2 = len(comp) - n1
            if st.load[s1] - n1 + n2 + 1 > md.cap[s1] or st.load[s2] - n2 + n1 > md.cap[s2]:
                continue
            moves = [(b, s2 if st.slot_of[b] == s1 else s1) for b in comp]
            for b, _ in moves:
                st.remove(b)
            for b, s in moves:
                st.place(b, s)
            st.place(m, s1)
            return True
    return False


def drop_insert(
    st: Any,
    m: int,
    rng: random.Random,
    tabu: dict[int, int],
    now: int,
    idle_of: Callable[[int], int] | None = None,
) -> bool:
    """Make room for ``m`` by dropping no heavier meetings, then place it by a Kempe swap.

    A participant of ``m`` with no free slot that ``m`` could use gives up one of their
    meetings (not fixed, not heavier than ``m``, not tabu); then ``m`` goes in by
    :func:`kempe_insert`, and the dropped meetings go back in where they can.  The move is
    kept when the weight does not go down (equal weight: a sideways step, after which ``m``
    stays tabu for a while so that it is not dropped straight away); otherwise it is undone.
    With ``idle_of`` (participant -> idle slots now), a sideways step is kept only if it
    does not add idle slots to the people it touches.  Returns True when the move was kept.
    """
    md = st.md
    S = st.S
    w = md.w
    common = md.common[m]
    mark = len(st.log)
    before = st.value
    dropped = []
    for p in md.parts[m]:
        if common & ~st.busy[p]:
            continue
        row = [
            b
            for s in range(S)
            if common >> s & 1
            and (b := st.occ[p * S + s]) >= 0
            and md.fixed[b] is None
            and w[b] <= w[m]
            and tabu.get(b, -1) < now
        ]
        if not row:
            st.rollback(mark)
            return False
        lightest = min(w[b] for b in row)
        b = rng.choice([b for b in row if w[b] == lightest])
        st.remove(b)
        dropped.append(b)
    if not dropped:
        return kempe_insert(st, m, rng)
    if not kempe_insert(st, m, rng):
        st.rollback(mark)
        return False
    for b in dropped:
        f = st.free_slots(b)
        if f:
            st.place(b, (f & -f).bit_length() - 1)
        elif not kempe_insert(st, b, rng):
            # the dropped meeting's other people have a slot free now: an alternating path
            # (m in, b out, another meeting of theirs in) can gain
            others = [q for q in md.parts[b] if q not in md.parts[m]]
            cands = [
                y
                for q in others
                for y in md.inc[q]
                if st.slot_of[y] < 0 and y != b and md.fixed[y] is None and md.common[y]
            ]
            cands.sort(key=lambda y: -w[y])
            for y in cands:
                if st.slot_of[y] >= 0:
                    continue
                f = st.free_slots(y)
                if f:
                    st.place(y, (f & -f).bit_length() - 1)
                else:
                    kempe_insert(st, y, rng)
    if st.value < before - 1e-9:
        st.rollback(mark)
        return False
    if idle_of is not None and st.value < before + 1e-9 and not _fewer_idle(st, mark, idle_of):
        return False
    tabu[m] = now + 8
    return True


def _fewer_idle(st: Any, mark: int, idle_of: Callable[[int], int]) -> bool:
    """Keep the moves since ``mark`` only if they add no idle slots (else undo them)."""
    parts = st.md.parts
    moved = {m for m, _ in st.log[mark:]}
    final = {m: st.slot_of[m] for m in moved}
    people = {p for m in moved for p in parts[m]}
    after = sum(idle_of(p) for p in people)
    st.rollback(mark)
    if sum(idle_of(p) for p in people) < after:
        return False
    for m in moved:
        if st.slot_of[m] >= 0:
            st.remove(m)
    for m, s in final.items():
        if s >= 0:
            st.place(m, s)
    return True


def _neighbourhood(
    st: Any, seed_meeting: int, size: int, movable: list[bool], rng: random.Random
) -> list[int]:
    """The meetings of a few people: those of ``seed_meeting`` and people they meet."""
    md = st.md
    people: list[int] = list(md.parts[seed_meeting])
    chosen = set(people)
    group: set[int] = set()
    frontier = list(people)
    while frontier:
        p = frontier.pop(0)
        for m in md.inc[p]:
            if movable[m]:
                group.add(m)
        if len(group) >= size:
            break
        partners = [q for m in md.inc[p] if movable[m] for q in md.parts[m] if q not in chosen]
        rng.shuffle(partners)
        for q in partners[:2]:
            if q not in chosen:
                chosen.add(q)
                frontier.append(q)
    if len(group) > size:
        # keep the seed's own meetings and the unscheduled ones first
        keep = sorted(
            group,
            key=lambda m: (
                not any(p in md.parts[seed_meeting] for p in md.parts[m]),
                st.slot_of[m] >= 0,
                rng.random(),
            ),
        )
        group = set(keep[:size])
    group.add(seed_meeting)
    return sorted(group)


def lns(
    st: Any,
    free: list[int],
    target: float,
    deadline: float,
    rng: random.Random,
    *,
    max_moves: int | None = None,
    idle_of: Callable[[int], int] | None = None,
) -> dict[str, int]:
    """Improve ``st`` by exact re-optimisation of small neighbourhoods.

    Stops when ``st.value`` reaches ``target`` (the proven bound), at ``deadline``, or after
    ``max_moves`` moves (a deterministic budget, for tests).  ``idle_of`` (see
    :func:`drop_insert`) keeps sideways steps from adding idle slots.  Returns counters for
    the stats.
    """
    md = st.md
    w = md.w
    movable = [False] * len(w)
    for m in free:
        movable[m] = True
    size = 12  # meetings per exact neighbourhood: grows while the search completes
    node_limit = 3000
    moves = bb_gains = drops = drop_gains = kempe_gains = 0
    start_value = st.value
    start = [st.slot_of[m] for m in free]
    tabu: dict[int, int] = {}

    def done() -> bool:
        return (
            st.value >= target - 1e-9
            or (max_moves is not None and moves >= max_moves)
            or time.perf_counter() > deadline
        )

    cycle_start = st.value
    careful = False  # sideways steps may not add idle slots; the first cycle is careful
    while not done():
        # a cycle without a gain alternates careful and free sideways steps: free ones
        # reach further, careful ones keep the idle slots down
        careful = st.value > cycle_start + 1e-9 or not careful
        cycle_start = st.value
        # 1. Kempe swaps alone, heaviest meetings first: cheap, they drop nothing
        todo = sorted((m for m in free if st.slot_of[m] < 0), key=lambda m: (-w[m], m))
        for m in todo[:_KEMPE_TRIES]:
            if done():
                break
            kempe_gains += kempe_insert(st, m, rng)
            st.log.clear()
        # 2. drop-and-insert steps, improving or sideways, over the unscheduled meetings
        for _round in range(_DROP_ROUNDS):
            kept = 0
            todo = [m for m in free if st.slot_of[m] < 0]
            rng.shuffle(todo)
            for m in todo:
                if done():
                    break
                if st.slot_of[m] >= 0:
                    continue
                moves += 1
                before = st.value
                if drop_insert(st, m, rng, tabu, moves, idle_of if careful else None):
                    kept += 1
                    drops += 1
                    drop_gains += st.value > before + 1e-9
                st.log.clear()
            if not kept or done():
                break
        # 3. exact re-optimisation of the meetings of a few people
        for _ in range(_EXACT_MOVES):
            if done():
                break
            unscheduled = [m for m in free if st.slot_of[m] < 0]
            if not unscheduled:
                break
            moves += 1
            # heavier unscheduled meetings are tried more often
            seed_meeting = rng.choices(unscheduled, weights=[w[m] for m in unscheduled])[0]
            group = _neighbourhood(st, seed_meeting, size, movable, rng)
            before = st.value
            complete, _ = reoptimise(st, group, rng, node_limit)
            size = min(size + 1, 60) if complete else max(6, size - 2)
            if st.value > before + 1e-9:
                bb_gains += 1
                break  # back to the cheap moves from the better schedule
    if st.value <= start_value + 1e-9:
        # nothing gained: keep the schedule as it was (sideways steps scatter meetings over
        # the day, which the idle-slot pass cannot always undo)
        for m in free:
            if st.slot_of[m] >= 0:
                st.remove(m)
        for m, s in zip(free, start, strict=True):
            if s >= 0:
                st.place(m, s)
        st.log.clear()
    return {
        "lns_moves": moves,
        "kempe_gains": kempe_gains,
        "lns_size": size,
        "drop_moves": drops,
        "drop_gains": drop_gains,
        "exact_gains": bb_gains,
    }
