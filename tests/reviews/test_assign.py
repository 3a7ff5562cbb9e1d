"""Unit tests of the reviewer-assignment solver (no database needed).

The exact optimum is computed independently by CP-SAT (a 0/1 model with the lexicographic
weight ``10**6 * placed + affinity in thousandths``); every answer is checked by
``atrium.reviews.checker``; the proof (dual prices) is re-evaluated by brute force over every
pair.
"""

from __future__ import annotations

import json
import random
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from ortools.sat.python import cp_model

from atrium.reviews.assign import InstanceError, parse_instance, proof_value, solve
from atrium.reviews.checker import check
from bench.reviews_assign import generate, greedy

ROOT = Path(__file__).resolve().parents[2]


def _inst(
    loads: dict[str, int],
    wants: dict[str, int],
    affinity: list | None = None,
    conflicts: list | None = None,
    locked: list | None = None,
) -> dict[str, Any]:
    return {
        "reviewers": [{"id": r, "max_load": n} for r, n in loads.items()],
        "submissions": [{"id": s, "reviews": n} for s, n in wants.items()],
        "affinity": affinity or [],
        "conflicts": conflicts or [],
        "locked": locked or [],
    }


def _exact(inst: dict[str, Any]) -> tuple[int, int]:
    """(most reviews, best affinity in thousandths among those) by CP-SAT."""
    model = cp_model.CpModel()
    aff = {(r, s): round(w * 1000) for r, s, w in inst["affinity"]}
    default = round(inst.get("default_affinity", 0) * 1000)
    conflicts = {tuple(p) for p in inst["conflicts"]}
    x = {}
    for r in inst["reviewers"]:
        for s in inst["submissions"]:
            if (r["id"], s["id"]) not in conflicts:
                x[r["id"], s["id"]] = model.new_bool_var(f"{r['id']}-{s['id']}")
    for pair in inst["locked"]:
        model.add(x[tuple(pair)] == 1)
    for r in inst["reviewers"]:
        model.add(sum(v for (a, _), v in x.items() if a == r["id"]) <= r["max_load"])
    for s in inst["submissions"]:
        model.add(sum(v for (_, b), v in x.items() if b == s["id"]) <= s["reviews"])
    big = 10**6
    model.maximize(sum((big + aff.get(k, default)) * v for k, v in x.items()))
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    assert solver.solve(model) == cp_model.OPTIMAL
    value = round(solver.objective_value)
    return value // big, value % big


def _dense_proof_value(inst: dict[str, Any], proof: dict[str, Any]) -> int:
    """The dual value of the proof, pair by pair (the slow, obvious way)."""
    u = dict(zip([r["id"] for r in inst["reviewers"]], proof["reviewer_prices"], strict=True))
    v = dict(zip([s["id"] for s in inst["submissions"]], proof["submission_prices"], strict=True))
    m = proof["weight_per_review"]
    aff = {(r, s): round(w * 1000) for r, s, w in inst["affinity"]}
    default = round(inst.get("default_affinity", 0) * 1000)
    out = {tuple(p) for p in inst["conflicts"]} | {tuple(p) for p in inst["locked"]}
    locked_r = [r for r, _ in inst["locked"]]
    locked_s = [s for _, s in inst["locked"]]
    total = 0
    for r in inst["reviewers"]:
        total += (r["max_load"] - locked_r.count(r["id"])) * u[r["id"]]
    for s in inst["submissions"]:
        total += (s["reviews"] - locked_s.count(s["id"])) * v[s["id"]]
    for r in u:
        for s in v:
            if (r, s) not in out:
                total += max(0, m + aff.get((r, s), default) - u[r] - v[s])
    return total


def _random_instance(rng: random.Random, *, stars: bool = False) -> dict[str, Any]:
    """Small random calls; with ``stars``, positive affinities gather on two reviewers, so that
    the solver has to add zero-affinity pairs in later rounds."""
    n_r, n_s = rng.randint(1, 12), rng.randint(1, 25)
    loads = {f"r{i}": rng.randint(0, 2 + 3 * n_s // n_r) for i in range(n_r)}
    wants = {f"s{j}": rng.randint(0, 4) for j in range(n_s)}
    pairs = [(r, s) for r in loads for s in wants]
    if stars:
        affinity = [
            [r, s, round(rng.random(), 3)]
            for r, s in pairs
            if (r in ("r0", "r1") and rng.random() < 0.8) or rng.random() < 0.05
        ]
    else:
        chosen = rng.sample(pairs, rng.randint(0, len(pairs)))
        affinity = [
            [r, s, rng.choice([0, 0.001, 0.5, 1, round(rng.random(), 3)])] for r, s in chosen
        ]
    conflicts = [list(p) for p in pairs if rng.random() < 0.15]
    conflicted = {tuple(p) for p in conflicts}
    load = dict.fromkeys(loads, 0)
    got = dict.fromkeys(wants, 0)
    locked = []
    for r, s in pairs:
        if (r, s) in conflicted or rng.random() > 0.05:
            continue
        if load[r] < loads[r] and got[s] < wants[s]:
            locked.append([r, s])
            load[r] += 1
            got[s] += 1
    inst = _inst(loads, wants, affinity, conflicts, locked)
    if rng.random() < 0.3:
        inst["default_affinity"] = rng.choice([0.001, 0.1, 0.5, 1])
    return inst


def _assert_proven_optimal(inst: dict[str, Any], out: dict[str, Any]) -> None:
    problems, placed, total = check(inst, out)
    assert problems == []
    most, best = _exact(inst)
    assert (placed, total) == (most, best)
    assert out["status"] == "optimal"
    assert out["upper_bound"] == out["objective"]
    assert out["placed_upper_bound"] == placed
    proof = out["proof"]
    assert min(proof["reviewer_prices"] + proof["submission_prices"], default=0) >= 0
    dual = _dense_proof_value(inst, proof)
    assert dual == proof["dual_value"]
    assert dual == proof_value(parse_instance(inst), proof)
    # the certificate: dual value = M * (reviews placed outside the locked ones) + affinity
    aff = {(r, s): round(w * 1000) for r, s, w in inst["affinity"]}
    default = round(inst.get("default_affinity", 0) * 1000)
    locked_total = sum(aff.get(tuple(p), default) for p in inst["locked"])
    free = placed - len(inst["locked"])
    assert dual == proof["weight_per_review"] * free + total - locked_total


# --------------------------------------------------------------------------- optimality


def test_the_best_pairs_first_is_not_optimal_and_the_solver_knows_it() -> None:
    inst = _inst(
        {"r1": 1, "r2": 1},
        {"s1": 1, "s2": 1},
        affinity=[["r1", "s1", 0.9], ["r1", "s2", 0.8], ["r2", "s1", 0.7]],
    )
    out = solve(inst)
    assert sorted(out["assignments"]) == [["r1", "s2"], ["r2", "s1"]]
    assert out["objective"] == 1.5 == out["upper_bound"]
    assert greedy(inst)["objective"] == 0.9  # r1-s1 first, then r2-s2 of affinity 0
    _assert_proven_optimal(inst, out)


def test_placing_more_reviews_comes_before_affinity() -> None:
    # r1 on s1 would be worth 1.0, but then s2 (conflicted with r2) gets nobody
    inst = _inst(
        {"r1": 1, "r2": 1},
        {"s1": 1, "s2": 1},
        affinity=[["r1", "s1", 1.0]],
        conflicts=[["r2", "s2"]],
    )
    out = solve(inst)
    assert sorted(out["assignments"]) == [["r1", "s2"], ["r2", "s1"]]
    assert out["placed"] == 2
    assert out["objective"] == 0
    assert out["short"] == []
    _assert_proven_optimal(inst, out)


@pytest.mark.parametrize("seed", range(40))
def test_random_calls_are_solved_exactly_with_their_proof(seed: int) -> None:
    inst = _random_instance(random.Random(seed))
    _assert_proven_optimal(inst, solve(inst))


def test_zero_affinity_pairs_added_in_later_rounds_keep_it_exact() -> None:
    rounds = []
    for seed in range(25):
        inst = _random_instance(random.Random(1000 + seed), stars=True)
        out = solve(inst)
        _assert_proven_optimal(inst, out)
        rounds.append(out["rounds"])
    assert max(rounds) >= 2  # the pricing of omitted pairs was needed and exercised


def test_a_generated_call_is_solved_optimally_and_no_worse_than_greedy() -> None:
    inst = generate(submissions=60, reviewers=20, reviews=3, topics=6, bids=10, seed=3, slack=1.0)
    out = solve(inst)
    problems, placed, total = check(inst, out)
    assert problems == []
    assert out["status"] == "optimal"
    assert out["upper_bound"] == out["objective"]
    assert _dense_proof_value(inst, out["proof"]) == out["proof"]["dual_value"]
    g = greedy(inst)
    assert check(inst, g)[0] == []
    assert (placed, total) >= (g["placed"], round(g["objective"] * 1000))


def test_a_bound_from_the_prices_of_a_worse_answer_shows_the_gap() -> None:
    # the prices of the optimum without the pair r1-s1, evaluated on the real instance
    inst = _inst(
        {"r1": 1, "r2": 1},
        {"s1": 1, "s2": 1},
        affinity=[["r1", "s1", 1.0], ["r2", "s2", 0.5], ["r1", "s2", 0.2]],
    )
    without = dict(inst, conflicts=[["r1", "s1"]])
    worse = solve(without)
    assert worse["objective"] == 0.2  # r1-s2 and r2-s1
    dual = proof_value(parse_instance(inst), worse["proof"])
    m = worse["proof"]["weight_per_review"]
    assert dual - 2 * m > 200  # the bound on the real instance exceeds what `worse` reached
    best = solve(inst)
    assert best["objective"] == 1.5
    assert best["proof"]["dual_value"] - 2 * m == 1500


def test_every_allowed_pair_counts_even_without_a_listed_affinity() -> None:
    # 30 x 40, nothing listed: the flow starts with a few pairs per submission and must still
    # fill every load it can (conflicts make the rest)
    rng = random.Random(5)
    loads = {f"r{i}": 4 for i in range(30)}
    wants = {f"s{j}": 3 for j in range(40)}
    conflicts = [[r, s] for r in loads for s in wants if rng.random() < 0.5]
    inst = _inst(loads, wants, conflicts=conflicts)
    out = solve(inst)
    assert out["placed"] == _exact(inst)[0] == 120
    assert out["objective"] == 0 == out["upper_bound"]


def test_with_a_default_affinity_a_pair_listed_at_0_is_a_penalty() -> None:
    # r1 is "not willing" for s1 (listed at 0); unlisted pairs are worth 0.1
    inst = _inst({"r1": 1, "r2": 1}, {"s1": 1, "s2": 1}, affinity=[["r1", "s1", 0]])
    inst["default_affinity"] = 0.1
    out = solve(inst)
    assert sorted(out["assignments"]) == [["r1", "s2"], ["r2", "s1"]]
    assert out["objective"] == 0.2 == out["upper_bound"]
    _assert_proven_optimal(inst, out)
    # without the default, nothing distinguishes the two answers: both are worth 0
    del inst["default_affinity"]
    assert solve(inst)["objective"] == 0


# --------------------------------------------------------------------------- locked pairs


def test_locked_pairs_stay_and_use_up_load_and_reviews() -> None:
    inst = _inst(
        {"r1": 1, "r2": 2},
        {"s1": 1, "s2": 2},
        affinity=[["r1", "s1", 1.0], ["r2", "s2", 0.3]],
        locked=[["r1", "s2"]],
    )
    out = solve(inst)
    assert sorted(out["assignments"]) == [["r1", "s2"], ["r2", "s1"], ["r2", "s2"]]
    assert out["objective"] == 0.3
    _assert_proven_optimal(inst, out)


def test_a_locked_pair_with_an_affinity_counts_in_the_objective() -> None:
    inst = _inst({"r1": 1}, {"s1": 1}, affinity=[["r1", "s1", 0.75]], locked=[["r1", "s1"]])
    out = solve(inst)
    assert out["assignments"] == [["r1", "s1"]]
    assert out["objective"] == 0.75 == out["upper_bound"]


# --------------------------------------------------------------------------- short submissions


def test_a_submission_with_too_few_reviewers_without_a_conflict_says_so() -> None:
    loads = {f"r{i}": 5 for i in range(5)}
    inst = _inst(
        loads,
        {"s1": 3, "s2": 3},
        conflicts=[["r0", "s1"], ["r1", "s1"], ["r2", "s1"]],
    )
    out = solve(inst)
    assert out["placed"] == 5
    [short] = out["short"]
    assert short["submission"] == "s1"
    assert short["missing"] == 1
    assert short["reason"] == "only 2 reviewers without a conflict"
    assert (short["code"], short["eligible"], short["assigned"]) == ("conflicts", 2, 2)


def test_a_submission_short_because_of_loads_names_the_full_reviewers() -> None:
    inst = _inst({"r1": 1, "r2": 1, "r3": 1}, {"s1": 2, "s2": 2}, affinity=[["r1", "s1", 1]])
    out = solve(inst)
    assert out["placed"] == 3
    [short] = out["short"]
    assert short["missing"] == 1
    assert short["code"] == "loads"
    assert short["reason"] == (
        "3 reviewers without a conflict: 1 assigned, the other 2 at their maximum load"
    )
    _assert_proven_optimal(inst, out)


def test_too_few_reviewers_without_a_conflict_and_one_of_them_full() -> None:
    # s2 can only have r1, whose load is 1; s1 can have r1 and r2
    inst = _inst(
        {"r1": 1, "r2": 5, "r3": 5},
        {"s1": 3, "s2": 1},
        affinity=[["r1", "s2", 0.5]],
        conflicts=[["r3", "s1"], ["r2", "s2"], ["r3", "s2"]],
    )
    out = solve(inst)
    assert sorted(out["assignments"]) == [["r1", "s2"], ["r2", "s1"]]
    [short] = out["short"]
    assert short["missing"] == 2
    assert short["reason"] == (
        "only 2 reviewers without a conflict: 1 assigned, the other 1 at their maximum load"
    )
    _assert_proven_optimal(inst, out)


def test_no_reviewer_without_a_conflict() -> None:
    inst = _inst({"r1": 3}, {"s1": 2}, conflicts=[["r1", "s1"]])
    out = solve(inst)
    assert out["short"][0]["reason"] == "no reviewer without a conflict"
    assert out["short"][0]["missing"] == 2
    assert out["placed"] == 0 == out["placed_upper_bound"]


@pytest.mark.parametrize(
    "inst",
    [
        _inst({}, {}),
        _inst({"r1": 2}, {}),
        _inst({}, {"s1": 2}),
        _inst({"r1": 0}, {"s1": 0}),
        _inst({"r1": 0, "r2": 1}, {"s1": 1}, conflicts=[["r2", "s1"]]),
    ],
)
def test_empty_and_degenerate_calls(inst: dict[str, Any]) -> None:
    out = solve(inst)
    assert out["status"] == "optimal"
    _assert_proven_optimal(inst, out)


# --------------------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    ("change", "named"),
    [
        ({"reviewers": [{"id": "r1", "max_load": 1}, {"id": "r1", "max_load": 2}]}, "'r1'"),
        ({"submissions": [{"id": "s1", "reviews": 1}, {"id": "s1", "reviews": 1}]}, "'s1'"),
        ({"reviewers": [{"id": "r1", "max_load": True}]}, "max_load"),
        ({"reviewers": [{"id": "r1", "max_load": -1}]}, "max_load"),
        ({"submissions": [{"id": "s1", "reviews": 1.5}]}, "reviews"),
        ({"reviewers": [{"id": "", "max_load": 1}]}, "reviewers[0]"),
        ({"affinity": [["r9", "s1", 0.5]]}, "unknown reviewer 'r9'"),
        ({"affinity": [["r1", "s9", 0.5]]}, "unknown submission 's9'"),
        ({"affinity": [["r1", "s1", 1.5]]}, "affinity[0] (r1, s1): affinity 1.5 is not in"),
        ({"affinity": [["r1", "s1", -0.1]]}, "not in [0, 1]"),
        ({"affinity": [["r1", "s1", 0.1234]]}, "more than three decimals"),
        ({"affinity": [["r1", "s1", "high"]]}, "must be a number"),
        ({"affinity": [["r1", "s1"]]}, "affinity[0]: expected [reviewer, submission, affinity]"),
        ({"affinity": [["r1", "s1", 0.5], ["r1", "s1", 0.2]]}, "affinity[1]: the pair (r1, s1)"),
        ({"conflicts": [["r1", "s9"]]}, "conflicts[0]: unknown submission 's9'"),
        ({"locked": [["r9", "s1"]]}, "locked[0]: unknown reviewer 'r9'"),
        ({"locked": [["r1", "s1"]], "conflicts": [["r1", "s1"]]}, "(r1, s1) is conflicted"),
        ({"locked": [["r1", "s1"], ["r1", "s1"]]}, "locked[1]: the pair (r1, s1)"),
        ({"locked": [["r1", "s1"], ["r1", "s2"], ["r1", "s3"]]}, "reviewer 'r1'"),
        ({"locked": [["r1", "s1"], ["r2", "s1"], ["r3", "s1"]]}, "submission 's1'"),
        ({"reviewers": "r1"}, "reviewers: expected a list"),
        ({"default_affinity": 2}, "default_affinity 2 is not in [0, 1]"),
        ({"default_affinity": 0.0001}, "default_affinity 0.0001 has more than three decimals"),
    ],
)
def test_bad_input_names_the_item(change: dict[str, Any], named: str) -> None:
    inst = _inst({"r1": 2, "r2": 2, "r3": 2}, {"s1": 2, "s2": 2, "s3": 2}) | change
    with pytest.raises(InstanceError) as err:
        solve(inst)
    assert named in str(err.value)


def test_the_instance_must_be_an_object_with_reviewers_and_submissions() -> None:
    with pytest.raises(InstanceError, match="JSON object"):
        solve([])  # type: ignore[arg-type]
    with pytest.raises(InstanceError, match="submissions: missing"):
        solve({"reviewers": []})


# --------------------------------------------------------------------------- command line


def _cli(path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "atrium.reviews.assign", str(path), *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )


def test_command_line_prints_one_json_object(tmp_path: Path) -> None:
    inst = _random_instance(random.Random(7))
    path = tmp_path / "call.json"
    path.write_text(json.dumps(inst))
    done = _cli(path, "--time-limit", "20")
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    assert {"assignments", "placed", "objective", "upper_bound", "status", "short", "seconds"} <= (
        out.keys()
    )
    expected = solve(inst)
    for key in ("assignments", "placed", "objective", "upper_bound", "status", "short"):
        assert out[key] == expected[key]
    assert check(inst, out)[0] == []


@pytest.mark.parametrize(
    ("content", "named"),
    [
        ('{"reviewers": [', "malformed JSON"),
        (
            json.dumps(_inst({"r1": 1}, {"s1": 1}, locked=[["r1", "s7"]])),
            "locked[0]: unknown submission 's7'",
        ),
    ],
)
def test_command_line_exits_2_on_bad_input(tmp_path: Path, content: str, named: str) -> None:
    path = tmp_path / "call.json"
    path.write_text(content)
    done = _cli(path)
    assert done.returncode == 2
    assert named in done.stderr
    assert done.stdout == ""


def test_a_time_limit_cut_short_still_gives_a_valid_answer_and_bound() -> None:
    # with no time at all, the solver stops after its first round
    cut = []
    for seed in range(25):
        inst = _random_instance(random.Random(1000 + seed), stars=True)
        out = solve(inst, time_limit=0)
        problems, placed, total = check(inst, out)
        assert problems == []
        most, best = _exact(inst)
        assert out["placed_upper_bound"] >= most
        if placed == most:
            assert round(out["upper_bound"] * 1000) >= best
        assert (out["status"] == "optimal") == (out["upper_bound"] == out["objective"])
        assert out["proof"]["dual_value"] == _dense_proof_value(inst, out["proof"])
        cut.append(out["status"] == "feasible")
    assert any(cut)
