"""Optuna's NSGAIISampler and TPESampler on the multi-objective problems of `forage bench search --pareto`.

Per (problem, sampler, seed): a fresh sequential study of --trials trials; the hypervolume of all its trials
against the same fixed reference points as Forage's benchmark. Prints median [q25, q75] over seeds and, with
--json, one JSON object on the last line for `forage bench search` to read.

  python bench/optuna_pareto.py --trials 200 --seeds 10
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
from optuna._hypervolume import compute_hypervolume


def zdt(x, concave):
    f1 = x[0]
    g = 1 + 9 * sum(x[1:]) / (len(x) - 1)
    r = f1 / g
    return [f1, g * (1 - r * r if concave else 1 - math.sqrt(r))]


def dtlz2(x, m=3):
    g = sum((v - 0.5) ** 2 for v in x[m - 1:])
    f = []
    for i in range(m):
        v = 1 + g
        for j in range(m - 1 - i):
            v *= math.cos(x[j] * math.pi / 2)
        if i > 0:
            v *= math.sin(x[m - 1 - i] * math.pi / 2)
        f.append(v)
    return f


PROBLEMS = {
    "zdt1-30": (lambda x: zdt(x, False), 30, 2, [1.1, 11.0]),
    "zdt2-30": (lambda x: zdt(x, True), 30, 2, [1.1, 11.0]),
    "dtlz2-3obj": (dtlz2, 12, 3, [3.5, 3.5, 3.5]),
}
SAMPLERS = {
    "nsga2": lambda seed: optuna.samplers.NSGAIISampler(seed=seed),
    "tpe": lambda seed: optuna.samplers.TPESampler(seed=seed),
    "random": lambda seed: optuna.samplers.RandomSampler(seed=seed),
}


def study(sampler, name, trials, seed):
    func, dims, objectives, reference = PROBLEMS[name]
    s = optuna.create_study(directions=["minimize"] * objectives, sampler=SAMPLERS[sampler](seed))
    start = time.perf_counter()
    s.optimize(lambda t: func([t.suggest_float(f"x{i}", 0.0, 1.0) for i in range(dims)]), n_trials=trials)
    wall = time.perf_counter() - start
    points = np.array([t.values for t in s.trials], dtype=float)
    return float(compute_hypervolume(points, np.array(reference))), wall


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--samplers", default="nsga2,tpe")
    parser.add_argument("--trials", type=int, default=200)
    parser.add_argument("--seeds", type=int, default=10)
    parser.add_argument("--problems", default=",".join(PROBLEMS))
    parser.add_argument("--json", action="store_true", help="end with one JSON line of the medians and quartiles")
    args = parser.parse_args()
    optuna.logging.set_verbosity(optuna.logging.ERROR)
    warnings.filterwarnings("ignore")
    print(f"optuna {optuna.__version__}; load average {os.getloadavg()}", flush=True)
    cells = {}
    for name in args.problems.split(","):
        print(f"{name} (reference point {', '.join(f'{v:g}' for v in PROBLEMS[name][3])})", flush=True)
        for sampler in args.samplers.split(","):
            volumes, walls = [], []
            for seed in range(args.seeds):
                hv, wall = study(sampler, name, args.trials, seed)
                volumes.append(hv)
                walls.append(wall)
            q25, med, q75 = np.percentile(volumes, [25, 50, 75])
            cells[f"{name}/{sampler}"] = [med, q25, q75]
            print(f"  optuna {sampler:<9} {med:.4f} [{q25:.4f}, {q75:.4f}]   {np.median(walls):.2f} s/study", flush=True)
    if args.json:
        print(json.dumps({"optuna": optuna.__version__, "cells": cells}))


if __name__ == "__main__":
    main()
