"""Independent feasibility checker for matchmaking schedules.

Written separately from :mod:`atrium.matchmaking.solver` on purpose: it shares only the
dataclasses of the instance and the solution, and re-derives every rule from the spec with
plain sets and dicts (no bitmasks, no solver helpers), so that a bug in the solver is not
repeated here.

``check(instance, solution)`` returns a list of human-readable violations (empty when the
schedule is feasible and its figures are consistent).  ``idle_slots`` recomputes the
secondary objective.
"""

from __future__ import annotations

from collections import defaultdict

from atrium.matchmaking.solver import Instance, Solution

__all__ = ["assert_feasible", "check", "idle_slots", "scheduled_weight"]


def _tables(instance: Instance) -> list[int]:
    if isinstance(instance.tables, int):
        return [instance.tables for _ in range(instance.slots)]
    return [int(t) for t in instance.tables]


def check(instance: Instance, solution: Solution, *, tol: float = 1e-6) -> list[str]:
    """Every way ``solution`` breaks the rules of ``instance`` (empty list: feasible)."""
    problems: list[str] = []
    slots = instance.slots
    tables = _tables(instance)
    available: dict[str, set[int]] = {}
    for p in instance.participants:
        available[p.id] = set(range(slots)) if p.available is None else set(p.available)
    meetings = {m.id: m for m in instance.meetings}

    seen: dict[str, str] = {}
    for a in solution.assignments:
        if a.meeting in seen:
            problems.append(f"meeting {a.meeting} appears twice")
        seen[a.meeting] = "assigned"
    for u in solution.unscheduled:
        if u.meeting in seen:
            problems.append(f"meeting {u.meeting} is both assigned and unscheduled or twice")
        seen[u.meeting] = "unscheduled"
        if not u.reason:
            problems.append(f"meeting {u.meeting} is unscheduled without a reason")
    for mid in meetings:
        if mid not in seen:
            problems.append(f"meeting {mid} is neither assigned nor unscheduled")
    for mid in seen:
        if mid not in meetings:
            problems.append(f"unknown meeting {mid} in the solution")

    table_taken: dict[tuple[int, int], str] = {}
    person_taken: dict[tuple[str, int], str] = {}
    per_slot: dict[int, int] = defaultdict(int)
    total = 0.0
    for a in solution.assignments:
        m = meetings.get(a.meeting)
        if m is None:
            continue
        if not (isinstance(a.slot, int) and 0 <= a.slot < slots):
            problems.append(f"meeting {m.id}: slot {a.slot} out of range")
            continue
        if not (isinstance(a.table, int) and 0 <= a.table < tables[a.slot]):
            problems.append(f"meeting {m.id}: table {a.table} out of range in slot {a.slot}")
        key = (a.slot, a.table)
        if key in table_taken:
            problems.append(
                f"meeting {m.id}: table {a.table} of slot {a.slot} already used by "
                f"{table_taken[key]}"
            )
        table_taken[key] = m.id
        per_slot[a.slot] += 1
        for pid in m.participants:
            if a.slot not in available[pid]:
                problems.append(f"meeting {m.id}: {pid} is not available in slot {a.slot}")
            if (pid, a.slot) in person_taken:
                problems.append(
                    f"meeting {m.id}: {pid} is also in {person_taken[pid, a.slot]} in slot {a.slot}"
                )
            person_taken[pid, a.slot] = m.id
        if m.fixed is not None and (a.slot, a.table) != (m.fixed.slot, m.fixed.table):
            problems.append(
                f"meeting {m.id}: fixed at slot {m.fixed.slot} table {m.fixed.table} "
                f"but placed at slot {a.slot} table {a.table}"
            )
        total += m.weight
    for s, n in per_slot.items():
        if n > tables[s]:
            problems.append(f"slot {s}: {n} meetings for {tables[s]} tables")
    for m in instance.meetings:
        if m.fixed is not None and seen.get(m.id) == "unscheduled":
            problems.append(f"meeting {m.id}: fixed but left unscheduled")

    if abs(total - solution.objective) > tol:
        problems.append(f"objective {solution.objective} but scheduled weight is {total}")
    if solution.upper_bound < solution.objective - tol:
        problems.append(
            f"upper bound {solution.upper_bound} is below objective {solution.objective}"
        )
    if solution.status == "optimal" and solution.objective < solution.upper_bound - tol:
        problems.append("status optimal but objective is below the upper bound")
    if solution.status not in ("optimal", "feasible"):
        problems.append(f"unknown status {solution.status!r}")
    return problems


def assert_feasible(instance: Instance, solution: Solution) -> None:
    """Raise ``AssertionError`` listing the violations, if any."""
    problems = check(instance, solution)
    if problems:
        shown = "\n  ".join(problems[:20])
        raise AssertionError(f"{len(problems)} violation(s):\n  {shown}")


def scheduled_weight(instance: Instance, solution: Solution) -> float:
    """Total weight of the assigned meetings."""
    weight = {m.id: m.weight for m in instance.meetings}
    return sum(weight[a.meeting] for a in solution.assignments)


def idle_slots(instance: Instance, solution: Solution) -> int:
    """Secondary objective: per participant and day, the slots between their first and last
    meeting of the day in which they are available but have no meeting."""
    slots = instance.slots
    day = list(instance.day_of_slot) if instance.day_of_slot else [0] * slots
    available: dict[str, set[int]] = {}
    for p in instance.participants:
        available[p.id] = set(range(slots)) if p.available is None else set(p.available)
    meetings = {m.id: m for m in instance.meetings}
    used: dict[tuple[str, int], set[int]] = defaultdict(set)
    for a in solution.assignments:
        for pid in meetings[a.meeting].participants:
            used[pid, day[a.slot]].add(a.slot)
    idle = 0
    for (pid, d), ss in used.items():
        for s in range(min(ss), max(ss) + 1):
            if day[s] == d and s not in ss and s in available[pid]:
                idle += 1
    return idle
