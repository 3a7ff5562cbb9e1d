"""Unit tests of the matchmaking solver (no database needed)."""

from __future__ import annotations

import json
import random
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from atrium.matchmaking.checker import assert_feasible, check, idle_slots
from atrium.matchmaking.solver import (
    Fixed,
    Instance,
    InstanceError,
    Meeting,
    Participant,
    instance_from_dict,
    instance_from_json,
    solution_to_dict,
    solve,
)
from atrium.matchmaking.solver_lns import kempe_insert, reoptimise
from bench.matchmaking import greedy
from bench.matchmaking_instances import generate, generate_size

ROOT = Path(__file__).resolve().parents[2]


def _inst(slots: int, tables: Any, participants: list, meetings: list, **kw: Any) -> Instance:
    return instance_from_dict(
        {"slots": slots, "tables": tables, "participants": participants, "meetings": meetings} | kw
    )


def _people(*ids: str) -> list[dict]:
    return [{"id": i} for i in ids]


def _run_cli(tmp_path: Path, payload: Any, *args: str) -> subprocess.CompletedProcess:
    path = tmp_path / "instance.json"
    path.write_text(payload if isinstance(payload, str) else json.dumps(payload))
    return subprocess.run(
        [sys.executable, "-m", "atrium.matchmaking.solver", str(path), *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )


# --------------------------------------------------------------------------- basics


def test_small_bench_instance_is_proved_optimal():
    # the time limit is generous: how fast this goes is measured in bench/matchmaking.py
    inst = instance_from_dict(generate_size("small", seed=0))
    sol = solve(inst, time_limit=60)
    assert_feasible(inst, sol)
    assert sol.status == "optimal"
    assert sol.objective == sol.upper_bound
    assert sol.objective >= greedy(inst)[0].objective
    assert idle_slots(inst, sol) == sol.idle_slots


def test_move_budget_makes_the_search_reproducible_and_never_loses_weight():
    # a gap stays open here, so without a budget the neighbourhood search would run until
    # the time limit; with one, the result does not depend on the machine's speed
    inst = instance_from_dict(generate_size("sparse-small", seed=0))
    none = solve(inst, time_limit=60, seed=3, max_moves=0)
    a = solve(inst, time_limit=60, seed=3, max_moves=40)
    b = solve(inst, time_limit=60, seed=3, max_moves=40)
    for sol in (none, a):
        assert_feasible(inst, sol)
        assert sol.objective <= sol.upper_bound
        assert (sol.status == "optimal") == (sol.objective == sol.upper_bound)
    assert none.stats.get("lns_moves", 0) == 0
    assert 0 < a.stats["lns_moves"] <= 40
    assert a.objective >= none.objective
    assert a.upper_bound == none.upper_bound  # the bound does not depend on the search
    assert solution_to_dict(a) | {"seconds": 0} == solution_to_dict(b) | {"seconds": 0}


def test_fixed_meetings_stay_fixed():
    inst = _inst(
        3,
        2,
        _people("a", "b", "c"),
        [
            {"id": "f", "participants": ["a", "b"], "fixed": {"slot": 1, "table": 1}},
            {"id": "m1", "participants": ["a", "c"]},
            {"id": "m2", "participants": ["b", "c"]},
            {"id": "m3", "participants": ["a", "b"]},
        ],
    )
    sol = solve(inst, time_limit=2)
    assert_feasible(inst, sol)
    placed = {a.meeting: (a.slot, a.table) for a in sol.assignments}
    assert placed["f"] == (1, 1)
    # m1, m2, m3 pairwise share a participant and only slots 0 and 2 remain for them
    assert sol.objective == 3 and sol.upper_bound >= 3


def test_per_slot_table_counts():
    people = _people(*[f"p{i}" for i in range(8)])
    meetings = [{"id": f"m{i}", "participants": [f"p{2 * i}", f"p{2 * i + 1}"]} for i in range(4)]
    inst = _inst(3, [1, 0, 2], people, meetings)
    sol = solve(inst, time_limit=2)
    assert_feasible(inst, sol)
    assert sol.objective == 3 and sol.upper_bound == 3 and sol.status == "optimal"
    assert all(a.slot != 1 for a in sol.assignments)
    assert [u.reason for u in sol.unscheduled] == [
        "no table free in the slots where the participants are all free"
    ]


def test_multi_party_meetings():
    # a delegation of three meets a park's two managers; the same people also meet in pairs
    people = _people("d1", "d2", "d3", "k1", "k2", "x")
    meetings = [
        {"id": "big", "participants": ["d1", "d2", "d3", "k1", "k2"], "weight": 3},
        {"id": "a", "participants": ["d1", "k1"]},
        {"id": "b", "participants": ["d2", "k2"]},
        {"id": "c", "participants": ["d3", "x"]},
        {"id": "d", "participants": ["k1", "x"]},
    ]
    inst = _inst(2, 5, people, meetings)
    sol = solve(inst, time_limit=2)
    assert_feasible(inst, sol)
    # slot A: big; slot B: a, b, c -> d collides with a (k1) and c (x): weight 6 is optimal
    assert sol.objective == 6
    assert sol.status == "optimal"


def test_weights_prefer_heavy_meeting():
    inst = _inst(
        1,
        5,
        _people("a", "b", "c"),
        [
            {"id": "light1", "participants": ["a", "b"]},
            {"id": "light2", "participants": ["c", "b"]},
            {"id": "heavy", "participants": ["a", "b", "c"], "weight": 3},
        ],
    )
    sol = solve(inst, time_limit=2)
    assert [a.meeting for a in sol.assignments] == ["heavy"]
    assert sol.status == "optimal"


def test_secondary_objective_reduces_idle_slots():
    # first-fit puts a-b in slot 0 and a-c can only be in slot 3: a would wait 2 slots
    inst = _inst(
        4,
        5,
        [{"id": "a"}, {"id": "b"}, {"id": "c", "available": [3]}],
        [
            {"id": "ab", "participants": ["a", "b"]},
            {"id": "ac", "participants": ["a", "c"]},
        ],
    )
    plain, _ = greedy(inst)
    assert idle_slots(inst, plain) == 2
    sol = solve(inst, time_limit=2)
    assert_feasible(inst, sol)
    assert sol.objective == 2
    assert idle_slots(inst, sol) == sol.idle_slots == 0


def test_idle_slots_counted_per_day():
    inst = _inst(
        4,
        5,
        [{"id": "a"}, {"id": "b", "available": [0]}, {"id": "c", "available": [3]}],
        [
            {"id": "ab", "participants": ["a", "b"]},
            {"id": "ac", "participants": ["a", "c"]},
        ],
        day_of_slot=[0, 0, 1, 1],
    )
    sol = solve(inst, time_limit=2)
    assert sol.objective == 2 and sol.idle_slots == 0 == idle_slots(inst, sol)


def test_unscheduled_reasons_are_useful():
    inst = _inst(
        3,
        5,
        [
            {"id": "a", "available": [0]},
            {"id": "b", "available": [1, 2]},
            {"id": "c"},
            {"id": "star", "available": [0, 1]},
            {"id": "d"},
            {"id": "e"},
            {"id": "f"},
        ],
        [
            {"id": "nope", "participants": ["a", "b"]},
            {"id": "s1", "participants": ["star", "d"]},
            {"id": "s2", "participants": ["star", "e"]},
            {"id": "s3", "participants": ["star", "f"]},
        ],
    )
    sol = solve(inst, time_limit=2)
    reasons = {u.meeting: u.reason for u in sol.unscheduled}
    assert reasons["nope"] == "participant b has no common free slot with the others" or (
        reasons["nope"] == "participant a has no common free slot with the others"
    )
    assert len(reasons) == 2
    (star_reason,) = [r for m, r in reasons.items() if m != "nope"]
    assert star_reason == "star is fully booked (3 meetings for 2 available slots)"


def test_solution_round_trips_to_json():
    inst = instance_from_dict(generate_size("small", seed=1))
    sol = solve(inst, time_limit=2, seed=1)
    d = solution_to_dict(sol)
    assert set(d) >= {"assignments", "unscheduled", "objective", "upper_bound", "status"}
    assert json.loads(json.dumps(d)) == d


# --------------------------------------------------------------------------- CLI


def test_cli_writes_a_solution(tmp_path):
    data = generate_size("small", seed=2)
    res = _run_cli(tmp_path, data, "--time-limit", "2", "--seed", "5")
    assert res.returncode == 0, res.stderr
    out = json.loads(res.stdout)
    assert out["status"] in ("optimal", "feasible")
    assert out["objective"] <= out["upper_bound"]
    assert len(out["assignments"]) + len(out["unscheduled"]) == len(data["meetings"])


def test_seed_determinism(tmp_path):
    # proved optimal, so the search stops at the bound and not on the clock
    data = generate(participants=200, meetings=1500, slots=12, tables=60, seed=4)
    a = _run_cli(tmp_path, data, "--seed", "7", "--time-limit", "60")
    b = _run_cli(tmp_path, data, "--seed", "7", "--time-limit", "60")
    assert a.returncode == b.returncode == 0
    da, db = json.loads(a.stdout), json.loads(b.stdout)
    assert da["status"] == "optimal"
    da.pop("seconds")
    db.pop("seconds")
    assert da == db


GOOD_P = [{"id": "a"}, {"id": "b", "available": [0, 1]}]

BAD_INSTANCES = [
    (
        {
            "slots": 2,
            "tables": 2,
            "participants": GOOD_P,
            "meetings": [{"id": "m1", "participants": ["a", "zed"]}],
        },
        ["m1", "zed", "unknown participant"],
    ),
    (
        {
            "slots": 2,
            "tables": 2,
            "participants": GOOD_P,
            "meetings": [
                {"id": "m1", "participants": ["a", "b"], "fixed": {"slot": 5, "table": 0}}
            ],
        },
        ["m1", "fixed slot 5"],
    ),
    (
        {
            "slots": 2,
            "tables": 2,
            "participants": GOOD_P,
            "meetings": [
                {"id": "m1", "participants": ["a", "b"], "fixed": {"slot": 0, "table": 0}},
                {"id": "m2", "participants": ["b", "a"], "fixed": {"slot": 0, "table": 1}},
            ],
        },
        ["m2", "already in fixed meeting m1"],
    ),
    (
        {
            "slots": 2,
            "tables": 2,
            "participants": GOOD_P + [{"id": "c"}, {"id": "d"}],
            "meetings": [
                {"id": "m1", "participants": ["a", "b"], "fixed": {"slot": 1, "table": 1}},
                {"id": "m2", "participants": ["c", "d"], "fixed": {"slot": 1, "table": 1}},
            ],
        },
        ["m2", "slot 1 table 1", "m1"],
    ),
    (
        {
            "slots": 3,
            "tables": 2,
            "participants": GOOD_P,
            "meetings": [
                {"id": "m1", "participants": ["a", "b"], "fixed": {"slot": 2, "table": 0}}
            ],
        },
        ["m1", "b", "not available"],
    ),
    (
        {
            "slots": 2,
            "tables": [2, 1],
            "participants": GOOD_P,
            "meetings": [
                {"id": "m1", "participants": ["a", "b"], "fixed": {"slot": 1, "table": 1}}
            ],
        },
        ["m1", "fixed table 1"],
    ),
    (
        {
            "slots": 2,
            "tables": 2,
            "participants": GOOD_P + [{"id": "a"}],
            "meetings": [],
        },
        ["participant a", "duplicate"],
    ),
    (
        {
            "slots": 2,
            "tables": 2,
            "participants": GOOD_P,
            "meetings": [
                {"id": "m1", "participants": ["a", "b"]},
                {"id": "m1", "participants": ["a", "b"]},
            ],
        },
        ["meeting m1", "duplicate"],
    ),
    (
        {
            "slots": 2,
            "tables": 2,
            "participants": GOOD_P,
            "meetings": [{"id": "m7", "participants": ["a", "b"], "weight": 0}],
        },
        ["m7", "weight must be positive"],
    ),
    (
        {
            "slots": 2,
            "tables": 2,
            "participants": GOOD_P,
            "meetings": [{"id": "m7", "participants": ["a", "b"], "weight": -2}],
        },
        ["m7", "weight must be positive"],
    ),
    ('{"slots": 2, "tables": 2, "participants": [', ["malformed JSON"]),
    (
        {
            "slots": 2,
            "tables": 2,
            "participants": [{"id": "a", "available": [0, 9]}, {"id": "b"}],
            "meetings": [],
        },
        ["participant a", "available slot 9"],
    ),
    (
        {"slots": 2, "tables": [1], "participants": GOOD_P, "meetings": []},
        ["tables", "1 counts for 2 slots"],
    ),
    (
        {
            "slots": 2,
            "tables": 2,
            "participants": GOOD_P,
            "meetings": [{"id": "solo", "participants": ["a"]}],
        },
        ["solo", "at least two participants"],
    ),
]


@pytest.mark.parametrize(("payload", "expected"), BAD_INSTANCES)
def test_cli_refuses_bad_instances_with_exit_2(tmp_path, payload, expected):
    res = _run_cli(tmp_path, payload)
    assert res.returncode == 2
    assert res.stdout == ""
    for part in expected:
        assert part in res.stderr, (part, res.stderr)


@pytest.mark.parametrize(("payload", "expected"), BAD_INSTANCES)
def test_api_raises_instance_error(payload, expected):
    with pytest.raises(InstanceError) as info:
        if isinstance(payload, str):
            instance_from_json(payload)
        else:
            instance_from_dict(payload)
    assert isinstance(info.value, ValueError)
    for part in expected:
        assert part in str(info.value)


def test_cli_missing_file_exits_2(tmp_path):
    res = subprocess.run(
        [sys.executable, "-m", "atrium.matchmaking.solver", str(tmp_path / "none.json")],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert res.returncode == 2 and "cannot read" in res.stderr


def test_solve_validates_dataclass_instances():
    inst = Instance(
        slots=2,
        tables=1,
        participants=(Participant("a"), Participant("b")),
        meetings=(
            Meeting("m1", ("a", "b"), fixed=Fixed(0, 0)),
            Meeting("m2", ("a", "b"), fixed=Fixed(0, 0)),
        ),
    )
    with pytest.raises(InstanceError, match="m2"):
        solve(inst)


def test_checker_catches_a_broken_schedule():
    inst = _inst(2, 1, _people("a", "b"), [{"id": "m1", "participants": ["a", "b"]}])
    sol = solve(inst, time_limit=1)
    assert check(inst, sol) == []
    sol.assignments[0] = type(sol.assignments[0])("m1", 0, 3)
    sol.objective = 5
    problems = check(inst, sol)
    assert any("table 3 out of range" in p for p in problems)
    assert any("objective 5" in p for p in problems)


# --------------------------------------------------------------------------- neighbourhood search


def _state(inst: Instance, placed: dict[str, int]) -> Any:
    from atrium.matchmaking.solver import _Model, _State

    st = _State(_Model(inst))
    for mid, s in placed.items():
        st.place(st.md.mids.index(mid), s)
    st.log.clear()
    return st


def test_kempe_swap_moves_a_chain_longer_than_the_ejection_chains():
    # p0 meets in slot 0, z in slot 1: "p0z" fits nowhere until the chain p0-p1-...-p5,
    # alternating between slots 0 and 1, swaps its slots (five meetings move)
    chain = [{"id": f"e{i}", "participants": [f"p{i - 1}", f"p{i}"]} for i in range(1, 6)]
    inst = _inst(
        2,
        10,
        _people(*[f"p{i}" for i in range(6)], "z", "y"),
        [
            *chain,
            {"id": "zy", "participants": ["z", "y"]},
            {"id": "p0z", "participants": ["p0", "z"]},
        ],
    )
    st = _state(inst, {"e1": 0, "e2": 1, "e3": 0, "e4": 1, "e5": 0, "zy": 1})
    m = st.md.mids.index("p0z")
    assert st.free_slots(m) == 0
    assert kempe_insert(st, m, random.Random(0))
    slot = {mid: st.slot_of[i] for i, mid in enumerate(st.md.mids)}
    assert slot == {"e1": 1, "e2": 0, "e3": 1, "e4": 0, "e5": 1, "zy": 1, "p0z": 0}
    assert st.value == 7


def test_exact_reoptimisation_trades_two_light_meetings_for_a_heavy_one():
    inst = _inst(
        2,
        5,
        _people("a", "b", "c"),
        [
            {"id": "ab", "participants": ["a", "b"]},
            {"id": "ac", "participants": ["a", "c"]},
            {"id": "bc", "participants": ["b", "c"], "weight": 3},
        ],
    )
    st = _state(inst, {"ab": 0, "ac": 1})
    complete, _nodes = reoptimise(st, [0, 1, 2], random.Random(0), node_limit=1000)
    assert complete
    assert st.value == 4 and st.slot_of[2] >= 0


def test_neighbourhood_search_reaches_the_optimum_of_sparse_small():
    # the optimum, 787, is certain: the solver's bound, and CP-SAT proves it (30 s).  Without
    # the neighbourhood search the solver stopped at 785.
    inst = instance_from_dict(generate_size("sparse-small", seed=0))
    before = solve(inst, time_limit=120, seed=0, max_moves=0)
    sol = solve(inst, time_limit=120, seed=0, max_moves=20_000)
    assert_feasible(inst, sol)
    assert before.objective < 787 == before.upper_bound
    assert sol.objective == sol.upper_bound == 787
    assert sol.status == "optimal"
