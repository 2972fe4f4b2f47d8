"""Forage's `model: auto` against FLAML's AutoML with the same time budget, on the same rows, in one run.

`forage bench automl --export DIR` writes every table's training and test rows (digits, breast_cancer, diabetes,
iris from Experiments/data, and the generated 100 000 x 50 classification and regression tables; 75% train, 20%
test, seed 0). Both sides then get the same training file and are scored on the same test file:
  - Forage: `forage run` of a spec with `trial: {model: auto}`, no search space (the built-in one), objective
    `val_loss` (log loss, or squared error), `budget: {time: T}`,
    `data: {validation: 0.2, test: 0}` on the training file (`data.evaluation: auto`: it cross-validates the small
    tables by FLAML's rule and holds out its own validation rows on the others, then refits the best configuration on
    all of them), then `forage predict --score` on the test file;
  - FLAML: `AutoML().fit(X, y, time_budget=T)` with its defaults: metric (log loss, ROC AUC for two classes, R²),
    learners (LightGBM, XGBoost, random forests, …), holdout or cross-validation, retrain on the full training rows,
    then `predict` on the test file.
Wall time is the whole call on each side (Forage: the process, data loading and refit included). Quote `uptime`.

Usage: python compare_flaml.py [--forage .build/release/forage] [--budgets 10 60] [--tables digits iris ...]
                         [--exported DIR]   (tables exported before: skips the export and its gbdt benchmark)
Needs: numpy, scikit-learn, flaml, lightgbm, xgboost (in a virtual environment outside the repository).
"""
import argparse
import json
import os
import subprocess
import tempfile
import time

import numpy as np
from sklearn.metrics import accuracy_score, r2_score

TABLES = ["digits", "breast_cancer", "diabetes", "iris", "clf100k", "reg100k"]
REGRESSION = {"diabetes", "reg100k"}


def load(path):
    data = np.loadtxt(path, delimiter=",", skiprows=1)
    return data[:, :-1], data[:, -1]


def forage_run(forage, work, name, budget, classification):
    folder = tempfile.mkdtemp(prefix=f"{name}-{budget}-", dir=work)
    task = "classification" if classification else "regression"
    spec = os.path.join(folder, "auto.yaml")
    with open(spec, "w") as f:
        f.write(f"name: auto\nobjective: {{metric: val_loss, direction: minimize}}\ntrial: {{model: auto}}\n"
                f"data: {{path: {work}/{name}_train.csv, target: y, task: {task}, validation: 0.2, test: 0, seed: 0}}\n"
                f"budget: {{time: {budget}s}}\n")
    start = time.perf_counter()
    subprocess.run([forage, "run", spec, "--store", os.path.join(folder, "store")], check=True, capture_output=True, text=True)
    wall = time.perf_counter() - start
    model = os.path.join(folder, "store", "trials", "auto", "refit", "model.forage")
    if not os.path.exists(model):  # the refit was skipped (it would not fit in budget.time): the best trial's model
        status = subprocess.run([forage, "status", "auto", "--store", os.path.join(folder, "store"), "--format", "json"],
                                check=True, capture_output=True, text=True)
        number = (json.loads(status.stdout).get("best") or {}).get("number")
        if number is None:  # no trial completed within the budget
            return float("nan"), wall, 0, "none"
        model = os.path.join(folder, "store", "trials", "auto", str(number), "model.forage")
    out = subprocess.run([forage, "predict", model, "--input", f"{work}/{name}_test.csv", "--score"],
                         check=True, capture_output=True, text=True)
    scores = json.loads(out.stdout)
    trials = subprocess.run([forage, "trials", "auto", "--store", os.path.join(folder, "store"), "--format", "json"],
                            check=True, capture_output=True, text=True)
    count = len(json.loads(trials.stdout)["trials"])
    best = subprocess.run([forage, "status", "auto", "--store", os.path.join(folder, "store"), "--format", "json"],
                          check=True, capture_output=True, text=True)
    family = (json.loads(best.stdout).get("best") or {}).get("params", {}).get("model", "?")
    return scores["accuracy" if classification else "r2"], wall, count, family


def flaml_run(work, name, budget, classification):
    from flaml import AutoML
    x, y = load(f"{work}/{name}_train.csv")
    xt, yt = load(f"{work}/{name}_test.csv")
    automl = AutoML()
    start = time.perf_counter()
    automl.fit(x, y.astype(int) if classification else y, task="classification" if classification else "regression",
               time_budget=budget, verbose=0, seed=0)
    wall = time.perf_counter() - start
    predicted = automl.predict(xt)
    score = accuracy_score(yt.astype(int), predicted) if classification else r2_score(yt, predicted)
    return score, wall, len(automl.config_history), automl.best_estimator


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--forage", default=".build/release/forage")
    parser.add_argument("--data", default="Experiments/data")
    parser.add_argument("--rows", type=int, default=100000)
    parser.add_argument("--budgets", type=int, nargs="+", default=[10, 60])
    parser.add_argument("--tables", nargs="+", default=TABLES)
    parser.add_argument("--exported", help="a folder an earlier run exported the tables to (skips the export, which "
                                           "also runs `forage bench automl`)")
    args = parser.parse_args()
    forage = os.path.abspath(args.forage)
    work = tempfile.mkdtemp(prefix="forage-flaml-")
    if args.exported:
        for name in os.listdir(args.exported):
            if name.endswith(".csv"):
                os.symlink(os.path.abspath(os.path.join(args.exported, name)), os.path.join(work, name))
    else:
        subprocess.run([forage, "bench", "automl", "--data", args.data, "--rows", str(args.rows), "--repeats", "1",
                        "--threads", "1", "--export", work, "--json"], check=True, capture_output=True, text=True)
    print(f"load average: {os.getloadavg()}")
    print(f"{'dataset':<14}{'budget':>7}{'forage':>9}{'flaml':>9}{'diff':>8}{'forage s':>10}{'flaml s':>9}"
          f"{'trials':>8}{'flaml n':>8}  best families (forage / flaml)")
    wins = {b: 0 for b in args.budgets}
    for budget in args.budgets:
        for name in args.tables:
            classification = name not in REGRESSION
            f_score, f_wall, f_trials, f_family = forage_run(forage, work, name, budget, classification)
            l_score, l_wall, l_trials, l_family = flaml_run(work, name, budget, classification)
            tolerance = 0.002 if classification else 0.005
            ok = f_score >= l_score - tolerance and f_wall <= l_wall * 1.02
            wins[budget] += ok
            print(f"{name:<14}{budget:>6}s{f_score:>9.4f}{l_score:>9.4f}{f_score - l_score:>+8.4f}{f_wall:>10.1f}{l_wall:>9.1f}"
                  f"{f_trials:>8}{l_trials:>8}  {f_family} / {l_family}{'' if ok else '   (behind)'}", flush=True)
    for budget, count in wins.items():
        print(f"{budget} s: Forage matches or beats FLAML on {count} of {len(args.tables)} tables "
              f"(within 0.2 points of accuracy / 0.005 R², in no more wall time)")


if __name__ == "__main__":
    main()
