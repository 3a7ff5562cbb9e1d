"""Property-based tests of the matchmaking solver on small random instances.

Each example is solved by the product solver, the plain greedy and the exact CP-SAT model
(from the bench), which proves the true optimum on instances this small; the schedule is
verified by the independent checker.  The solver's bound is checked as it reports it:
``upper_bound >= optimum >= objective``, and ``"optimal"`` only when the objective is the
optimum.
"""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from atrium.matchmaking.checker import assert_feasible, idle_slots
from atrium.matchmaking.solver import InstanceError, instance_from_dict, solve
from bench.matchmaking import cpsat, greedy


@st.composite
def instances(draw: Any, max_meetings: int = 14, max_people: int = 7) -> dict:
    slots = draw(st.integers(1, 5))
    if draw(st.booleans()):
        tables: Any = draw(st.integers(1, 3))
    else:
        tables = draw(st.lists(st.integers(0, 3), min_size=slots, max_size=slots))
    n_p = draw(st.integers(2, max_people))
    participants = []
    for i in range(n_p):
        if draw(st.booleans()):
            participants.append({"id": f"p{i}"})
        else:
            av = draw(st.sets(st.integers(0, slots - 1)))
            participants.append({"id": f"p{i}", "available": sorted(av)})
    n_m = draw(st.integers(0 if max_meetings <= 14 else max_meetings // 2, max_meetings))
    meetings = []
    for j in range(n_m):
        k = draw(st.integers(2, min(4, n_p)))
        ps = draw(st.lists(st.integers(0, n_p - 1), min_size=k, max_size=k, unique=True))
        meeting: dict[str, Any] = {"id": f"m{j}", "participants": [f"p{i}" for i in ps]}
        if draw(st.booleans()):
            meeting["weight"] = draw(st.integers(1, 4))
        meetings.append(meeting)
    data = {"slots": slots, "tables": tables, "participants": participants, "meetings": meetings}
    # a few fixed meetings, kept only where they are consistent
    for meeting in meetings:
        if draw(st.integers(0, 5)) == 0:
            meeting["fixed"] = {
                "slot": draw(st.integers(0, slots - 1)),
                "table": draw(st.integers(0, 2)),
            }
            try:
                instance_from_dict(data)
            except InstanceError:
                del meeting["fixed"]
    return data


def _exact_optimum(inst: Any) -> float:
    exact, info = cpsat(inst, time_limit=60, workers=1)
    assert exact is not None
    assert info["status"] == "OPTIMAL", "the exact model must prove the optimum here"
    assert_feasible(inst, exact)
    return exact.objective


def _assert_bound_and_status(sol: Any, optimum: float) -> None:
    # the bound is proven (never below the optimum); "optimal" only when it is
    assert sol.upper_bound >= optimum >= sol.objective
    assert (sol.status == "optimal") == (sol.objective == sol.upper_bound)
    if sol.status == "optimal":
        assert sol.objective == optimum


@settings(
    max_examples=50,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
    derandomize=True,
)
@given(instances(), st.integers(0, 3))
def test_feasible_not_below_greedy_bound_above_the_exact_optimum(data, seed):
    inst = instance_from_dict(data)
    sol = solve(inst, time_limit=60, seed=seed, max_moves=50)
    assert_feasible(inst, sol)
    assert idle_slots(inst, sol) == sol.idle_slots
    assert sol.objective >= greedy(inst)[0].objective
    optimum = _exact_optimum(inst)
    _assert_bound_and_status(sol, optimum)
    # up to 14 meetings the branch and bound always completes: the optimum is found
    assert sol.objective == optimum


@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    derandomize=True,
)
@given(instances(max_meetings=90, max_people=16), st.integers(0, 3))
def test_lagrangian_bound_above_the_exact_optimum_past_the_exact_search(data, seed):
    # 45 to 90 meetings: above the whole-instance branch and bound, so the reported bound is
    # the Lagrangian one (or the search reached it)
    inst = instance_from_dict(data)
    sol = solve(inst, time_limit=60, seed=seed, max_moves=30)
    assert_feasible(inst, sol)
    assert sol.objective >= greedy(inst)[0].objective
    _assert_bound_and_status(sol, _exact_optimum(inst))
