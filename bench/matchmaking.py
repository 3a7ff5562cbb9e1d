"""Bench of the matchmaking solver against an exact CP-SAT model and a plain greedy.

Run from the repo root::

    .venv/bin/python bench/matchmaking.py                 # small, medium, large
    .venv/bin/python bench/matchmaking.py small medium --seed 1
    .venv/bin/python bench/matchmaking.py sparse-small sparse-medium --time-limits 2 5 10

Sizes: ``small``, ``medium``, ``large`` (parks and delegations) and ``sparse-small``,
``sparse-medium`` (random pairs, weights 1 to 3, many people fully booked); see
``bench/matchmaking_instances.py``.  ``--time-limits`` runs every size at each of the given
limits instead of the size's own.

For each size it generates an instance (``bench/matchmaking_instances.py``), then runs

* **ours**: ``python -m atrium.matchmaking.solver`` as a subprocess with the size's time limit
  (wall time and peak RSS of that process are measured, JSON in and out included);
* **CP-SAT**: the exact time-indexed model (OR-Tools, 2 workers), given the same solve time
  limit; its model building time is reported separately and counted in its wall time;
* **greedy**: meetings by decreasing weight then input order, each in its first slot where all
  participants are free and a table is left.

Every schedule is verified by ``atrium.matchmaking.checker`` (independent of the solver).
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

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from atrium.matchmaking.checker import check, idle_slots  # noqa: E402
from atrium.matchmaking.solver import (  # noqa: E402
    Assignment,
    Instance,
    Solution,
    Unscheduled,
    instance_from_dict,
)
from bench.matchmaking_instances import generate_size  # noqa: E402

TIME_LIMITS = {
    "small": 2.0,
    "medium": 10.0,
    "large": 30.0,
    "sparse-small": 2.0,
    "sparse-medium": 5.0,
}


# --------------------------------------------------------------------------- helpers


def _tables(inst: Instance) -> list[int]:
    return [inst.tables] * inst.slots if isinstance(inst.tables, int) else list(inst.tables)


def _with_tables(inst: Instance, slot_of: dict[str, int]) -> list[Assignment]:
    """Hand out table numbers: fixed meetings keep theirs, the others take free ones."""
    fixed = {m.id: m.fixed for m in inst.meetings if m.fixed is not None}
    taken: dict[int, set[int]] = {}
    for f in fixed.values():
        taken.setdefault(f.slot, set()).add(f.table)
    nxt: dict[int, int] = {}
    out = []
    for mid, s in slot_of.items():
        if mid in fixed:
            out.append(Assignment(mid, s, fixed[mid].table))
            continue
        t = nxt.get(s, 0)
        while t in taken.get(s, ()):
            t += 1
        nxt[s] = t + 1
        out.append(Assignment(mid, s, t))
    return out


def _solution(inst: Instance, slot_of: dict[str, int], ub: float, secs: float) -> Solution:
    weight = {m.id: m.weight for m in inst.meetings}
    obj = sum(weight[m] for m in slot_of)
    return Solution(
        assignments=_with_tables(inst, slot_of),
        unscheduled=[Unscheduled(m.id, "-") for m in inst.meetings if m.id not in slot_of],
        objective=obj,
        upper_bound=max(ub, obj),
        status="optimal" if obj >= ub else "feasible",
        seconds=secs,
    )


# --------------------------------------------------------------------------- baselines


def greedy(inst: Instance) -> tuple[Solution, float]:
    """Plain greedy: by decreasing weight, first feasible slot."""
    t0 = time.perf_counter()
    S = inst.slots
    tables = _tables(inst)
    avail = {
        p.id: set(range(S)) if p.available is None else set(p.available) for p in inst.participants
    }
    busy: dict[str, set[int]] = {p.id: set() for p in inst.participants}
    load = [0] * S
    slot_of: dict[str, int] = {}
    for m in inst.meetings:
        if m.fixed is not None:
            slot_of[m.id] = m.fixed.slot
            load[m.fixed.slot] += 1
            for p in m.participants:
                busy[p].add(m.fixed.slot)
    order = sorted(
        (m for m in inst.meetings if m.fixed is None), key=lambda m: -m.weight
    )  # stable: input order among equal weights
    for m in order:
        for s in range(S):
            if load[s] < tables[s] and all(
                s in avail[p] and s not in busy[p] for p in m.participants
            ):
                slot_of[m.id] = s
                load[s] += 1
                for p in m.participants:
                    busy[p].add(s)
                break
    secs = time.perf_counter() - t0
    return _solution(inst, slot_of, float("inf"), secs), secs


def cpsat(inst: Instance, time_limit: float, workers: int = 2) -> tuple[Solution | None, dict]:
    """The exact time-indexed model in CP-SAT: x[m, s] = meeting m in slot s."""
    from ortools.sat.python import cp_model

    t0 = time.perf_counter()
    S = inst.slots
    tables = _tables(inst)
    avail = {
        p.id: set(range(S)) if p.available is None else set(p.available) for p in inst.participants
    }
    model = cp_model.CpModel()
    x: dict[tuple[int, int], Any] = {}
    by_ps: dict[tuple[str, int], list] = {}
    by_s: dict[int, list] = {s: [] for s in range(S)}
    objective = []
    for i, m in enumerate(inst.meetings):
        common = set(range(S))
        for p in m.participants:
            common &= avail[p]
        if m.fixed is not None:
            common = {m.fixed.slot}
        row = []
        for s in sorted(common):
            v = model.new_bool_var(f"x{i}_{s}")
            x[i, s] = v
            row.append(v)
            by_s[s].append(v)
            for p in m.participants:
                by_ps.setdefault((p, s), []).append(v)
            objective.append((v, m.weight))
        if m.fixed is not None:
            model.add(row[0] == 1)
        elif len(row) > 1:
            model.add_at_most_one(row)
    for vs in by_ps.values():
        if len(vs) > 1:
            model.add_at_most_one(vs)
    for s, vs in by_s.items():
        if len(vs) > tables[s]:
            model.add(sum(vs) <= tables[s])
    integral = all(float(m.weight).is_integer() for m in inst.meetings)
    if integral:
        model.maximize(sum(int(w) * v for v, w in objective))
    else:
        model.maximize(sum(w * v for v, w in objective))
    build = time.perf_counter() - t0
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = time_limit
    solver.parameters.num_workers = workers
    status = solver.solve(model)
    wall = time.perf_counter() - t0
    info = {
        "build": build,
        "wall": wall,
        "status": solver.status_name(status),
        "bound": solver.best_objective_bound
        if status in (cp_model.OPTIMAL, cp_model.FEASIBLE)
        else None,
    }
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None, info
    slot_of = {}
    for (i, s), v in x.items():
        if solver.boolean_value(v):
            slot_of[inst.meetings[i].id] = s
    sol = _solution(inst, slot_of, info["bound"], wall)
    return sol, info


def ours(inst_dict: dict, inst: Instance, time_limit: float, seed: int) -> tuple[Solution, dict]:
    """Run the product solver's CLI in a subprocess; measure wall time and peak RSS."""
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as fh:
        json.dump(inst_dict, fh)
        path = fh.name
    try:
        t0 = time.perf_counter()
        with tempfile.TemporaryFile() as out_f, tempfile.TemporaryFile() as err_f:
            proc = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "atrium.matchmaking.solver",
                    path,
                    "--time-limit",
                    str(time_limit),
                    "--seed",
                    str(seed),
                ],
                cwd=ROOT,
                stdout=out_f,
                stderr=err_f,
            )
            _, status, usage = os.wait4(proc.pid, 0)  # peak RSS of this very process
            proc.returncode = os.waitstatus_to_exitcode(status)
            wall = time.perf_counter() - t0
            peak_kb = usage.ru_maxrss
            out_f.seek(0)
            err_f.seek(0)
            out, err = out_f.read(), err_f.read()
    finally:
        os.unlink(path)
    if proc.returncode != 0:
        raise RuntimeError(f"solver failed ({proc.returncode}): {err.decode()}")
    d = json.loads(out)
    sol = Solution(
        assignments=[Assignment(a["meeting"], a["slot"], a["table"]) for a in d["assignments"]],
        unscheduled=[Unscheduled(u["meeting"], u["reason"]) for u in d["unscheduled"]],
        objective=d["objective"],
        upper_bound=d["upper_bound"],
        status=d["status"],
        seconds=d["seconds"],
        idle_slots=d.get("idle_slots", 0),
    )
    return sol, {"wall": wall, "peak_mb": peak_kb / 1024}


# --------------------------------------------------------------------------- main


def _verify(name: str, inst: Instance, sol: Solution) -> str:
    problems = check(inst, sol)
    if problems:
        print(f"!! {name}: {len(problems)} violations, e.g. {problems[:3]}", file=sys.stderr)
        return "INFEASIBLE"
    return "ok"


def main() -> int:
    parser = argparse.ArgumentParser(description="Bench the matchmaking solver.")
    parser.add_argument(
        "sizes",
        nargs="*",
        default=["small", "medium", "large"],
        help=f"any of {', '.join(TIME_LIMITS)} (default: small medium large)",
    )
    parser.add_argument(
        "--time-limits",
        type=float,
        nargs="+",
        metavar="SECONDS",
        help="run every size at each of these limits (default: the size's own limit)",
    )
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--no-cpsat", action="store_true", help="skip the CP-SAT model")
    parser.add_argument("--workers", type=int, default=2, help="CP-SAT workers (default 2)")
    args = parser.parse_args()

    rows = []
    unknown = [size for size in args.sizes if size not in TIME_LIMITS]
    if unknown:
        parser.error(f"unknown size {unknown[0]!r}: choose from {', '.join(TIME_LIMITS)}")
    runs = [(size, tl) for size in args.sizes for tl in args.time_limits or [TIME_LIMITS[size]]]
    for size, tl in runs:
        d = generate_size(size, args.seed)
        inst = instance_from_dict(d)
        print(f"# {size}: generated, solving (time limit {tl:g} s)...", file=sys.stderr)
        sol, info = ours(d, inst, tl, args.seed)
        ok = _verify("ours", inst, sol)
        assert idle_slots(inst, sol) == sol.idle_slots, "idle slots disagree with the checker"
        g, gsecs = greedy(inst)
        gok = _verify("greedy", inst, g)
        row = {
            "size": size,
            "P": len(inst.participants),
            "M": len(inst.meetings),
            "S": inst.slots,
            "T": inst.tables,
            "limit": tl,
            "obj": sol.objective,
            "ub": sol.upper_bound,
            "status": sol.status,
            "secs": info["wall"],
            "solver_secs": sol.seconds,
            "peak_mb": info["peak_mb"],
            "idle": sol.idle_slots,
            "ok": ok,
            "g_obj": g.objective,
            "g_secs": gsecs,
            "g_idle": idle_slots(inst, g),
            "g_ok": gok,
        }
        if not args.no_cpsat:
            print(f"# {size}: CP-SAT...", file=sys.stderr)
            csol, cinfo = cpsat(inst, tl, args.workers)
            row.update(
                c_status=cinfo["status"],
                c_bound=cinfo["bound"],
                c_build=cinfo["build"],
                c_wall=cinfo["wall"],
                c_obj=csol.objective if csol else None,
                c_ok=_verify("cp-sat", inst, csol) if csol else "-",
            )
        rows.append(row)
        _print(rows[-1:], header=len(rows) == 1)
    print()
    _print(rows, header=True)
    return 0


def _fmt(x: Any, nd: int = 1) -> str:
    if x is None:
        return "-"
    if isinstance(x, float):
        return f"{x:.{nd}f}"
    return str(x)


def _print(rows: list[dict], header: bool) -> None:
    if header:
        print(
            "| size | P | M | S | T | limit s "
            "| ours obj | ours UB | ours obj/UB | status | ours s | peak MB | idle | check "
            "| greedy obj | greedy/UB | greedy s | greedy idle "
            "| CP-SAT obj | CP-SAT bound | CP-SAT/UB | CP-SAT status | CP-SAT s (build) | check |"
        )
        print("|" + "---|" * 24)
    for r in rows:
        ub = r["ub"]
        c_obj = r.get("c_obj")
        print(
            f"| {r['size']} | {r['P']} | {r['M']} | {r['S']} | {r['T']} | {r['limit']:g} "
            f"| {r['obj']} | {ub} | {r['obj'] / ub:.4%} | {r['status']} | {r['secs']:.1f} "
            f"| {r['peak_mb']:.0f} | {r['idle']} | {r['ok']} "
            f"| {r['g_obj']} | {r['g_obj'] / ub:.4%} | {r['g_secs']:.1f} | {r['g_idle']} "
            f"| {_fmt(c_obj)} | {_fmt(r.get('c_bound'), 0)} "
            f"| {(c_obj / ub) if c_obj is not None else 0:.4%} | {r.get('c_status', '-')} "
            f"| {_fmt(r.get('c_wall'))} ({_fmt(r.get('c_build'))}) | {r.get('c_ok', '-')} |"
        )
    sys.stdout.flush()


if __name__ == "__main__":
    sys.exit(main())
