"""Optuna 5's samplers on the problems of `forage bench search`, for a side-by-side comparison.

Runs, per (problem, sampler, seed), a fresh sequential study and records the simple regret (best so far minus the
known minimum) at the checkpoints; prints median [q25, q75] over seeds in the same layout as `forage bench search`,
and writes every run to --out as JSON.

  python bench/optuna_search.py --samplers gp,tpe --trials 100 --seeds 10            # the five functions
  python bench/optuna_search.py --samplers cmaes --long --trials 1000 --seeds 10     # CMA-ES on the long problems

GPSampler needs torch; CmaEsSampler needs the `cmaes` package.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import time
import warnings

import numpy as np
import optuna


def branin(x):
    x1, x2 = x
    a, b, c = 1.0, 5.1 / (4 * math.pi ** 2), 5 / math.pi
    return a * (x2 - b * x1 ** 2 + c * x1 - 6.0) ** 2 + 10.0 * (1 - 1 / (8 * math.pi)) * math.cos(x1) + 10.0


H6_ALPHA = np.array([1.0, 1.2, 3.0, 3.2])
H6_A = np.array([[10, 3, 17, 3.5, 1.7, 8], [0.05, 10, 17, 0.1, 8, 14], [3, 3.5, 1.7, 10, 17, 8], [17, 8, 0.05, 10, 0.1, 14]])
H6_P = 1e-4 * np.array([[1312, 1696, 5569, 124, 8283, 5886], [2329, 4135, 8307, 3736, 1004, 9991],
                        [2348, 1451, 3522, 2883, 3047, 6650], [4047, 8828, 8732, 5743, 1091, 381]])


def hartmann6(x):
    x = np.asarray(x)
    return float(-np.sum(H6_ALPHA * np.exp(-np.sum(H6_A * (x - H6_P) ** 2, axis=1))))


def rosenbrock(x):
    x = np.asarray(x)
    return float(np.sum(100.0 * (x[1:] - x[:-1] ** 2) ** 2 + (1.0 - x[:-1]) ** 2))


def ackley(x):
    x = np.asarray(x)
    d = len(x)
    return float(-20.0 * np.exp(-0.2 * np.sqrt(np.sum(x ** 2) / d)) - np.exp(np.sum(np.cos(2 * np.pi * x)) / d) + 20.0 + math.e)


def styblinski(x):
    x = np.asarray(x)
    return float(0.5 * np.sum(x ** 4 - 16 * x ** 2 + 5 * x))


def sphere(x):
    return float(np.sum(np.asarray(x) ** 2))


PROBLEMS = {
    "branin": (branin, [(-5.0, 10.0), (0.0, 15.0)], 0.397887357729738),
    "hartmann6": (hartmann6, [(0.0, 1.0)] * 6, -3.32236801141551),
    "rosenbrock10": (rosenbrock, [(-5.0, 10.0)] * 10, 0.0),
    "ackley5": (ackley, [(-32.768, 32.768)] * 5, 0.0),
    "styblinski5": (styblinski, [(-5.0, 5.0)] * 5, -39.16616570377142 * 5),
}
LONG_PROBLEMS = {
    "rosenbrock10": PROBLEMS["rosenbrock10"],
    "ackley5": PROBLEMS["ackley5"],
    "sphere20": (sphere, [(-5.0, 5.0)] * 20, 0.0),
}
SAMPLERS = {
    "random": lambda seed: optuna.samplers.RandomSampler(seed=seed),
    "tpe": lambda seed: optuna.samplers.TPESampler(seed=seed),
    "cmaes": lambda seed: optuna.samplers.CmaEsSampler(seed=seed),
    "gp": lambda seed: optuna.samplers.GPSampler(seed=seed),
}


def study(sampler, func, bounds, trials, seed):
    s = optuna.create_study(sampler=SAMPLERS[sampler](seed))
    names = ["x", "y"] if len(bounds) == 2 else [f"x{i}" for i in range(len(bounds))]
    start = time.perf_counter()
    s.optimize(lambda t: func([t.suggest_float(n, lo, hi) for n, (lo, hi) in zip(names, bounds)]), n_trials=trials)
    return [t.value for t in s.trials], time.perf_counter() - start


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--samplers", default="tpe,cmaes,gp")
    parser.add_argument("--problems", default="")
    parser.add_argument("--long", action="store_true", help="the long problems (rosenbrock10, ackley5, sphere20)")
    parser.add_argument("--trials", type=int, default=100)
    parser.add_argument("--seeds", type=int, default=10)
    parser.add_argument("--checkpoints", default="")
    parser.add_argument("--out", default="optuna_search.json")
    args = parser.parse_args()
    optuna.logging.set_verbosity(optuna.logging.ERROR)
    warnings.filterwarnings("ignore")
    table = LONG_PROBLEMS if args.long else PROBLEMS
    problems = [p for p in (args.problems.split(",") if args.problems else table) if p]
    checkpoints = [int(c) for c in args.checkpoints.split(",")] if args.checkpoints else (
        [args.trials // 10, args.trials // 2, args.trials] if args.long else [25, 50, 100])
    print(f"optuna {optuna.__version__}; load average {os.getloadavg()}")
    runs = []
    for name in problems:
        func, bounds, minimum = table[name]
        print(name)
        for sampler in args.samplers.split(","):
            regrets, walls = [], []
            for seed in range(args.seeds):
                values, wall = study(sampler, func, bounds, args.trials, seed)
                best = np.minimum.accumulate(np.asarray(values, dtype=float)) - minimum
                regrets.append([float(best[c - 1]) for c in checkpoints])
                walls.append(wall)
                runs.append({"problem": name, "sampler": sampler, "seed": seed, "wall_s": wall,
                             "regret": dict(zip(map(str, checkpoints), regrets[-1]))})
            cells = []
            for k, c in enumerate(checkpoints):
                column = [r[k] for r in regrets]
                q25, med, q75 = np.percentile(column, [25, 50, 75])
                cells.append(f"{med:.4g} [{q25:.4g}, {q75:.4g}]".ljust(30))
            header = "".join(f"regret@{c}".ljust(30) for c in checkpoints)
            if sampler == args.samplers.split(",")[0]:
                print("  " + "sampler".ljust(11) + header + "s/study")
            print("  " + sampler.ljust(11) + "".join(cells) + f"{np.median(walls):.3f}", flush=True)
    with open(args.out, "w") as f:
        json.dump({"optuna": optuna.__version__, "trials": args.trials, "seeds": args.seeds, "runs": runs}, f, indent=1)


if __name__ == "__main__":
    main()
