"""Forage's gbdt against LightGBM and scikit-learn's HistGradientBoosting, on the same rows, in one run.

`forage bench automl --export DIR --json` writes every table's training and test rows (digits, breast_cancer,
diabetes, iris from Experiments/data, and the generated 100 000 x 50 classification and regression tables; 75% train,
5% validation unused here, 20% test, seed 0) and prints Forage's fit times; this script then fits the peers on the
same CSV rows with the same settings, one thread and two:
  100 rounds, learning rate 0.1, 31 leaves, no depth limit, at least 20 rows per leaf, 255 bins, no L2, no
  subsampling, no early stopping.
Times are the fit alone (median of --repeats), scores on the 20% test rows. Quote `uptime` with the numbers.

Usage: python compare_gbdt.py [--forage .build/release/forage] [--repeats 3] [--rows 100000] [--threads 1 2]
       [--tables clf100k reg100k]
Needs: numpy, lightgbm, scikit-learn, threadpoolctl (in a virtual environment outside the repository).
"""
import argparse
import json
import os
import statistics
import subprocess
import tempfile
import time

import lightgbm as lgb
import numpy as np
from sklearn.ensemble import HistGradientBoostingClassifier, HistGradientBoostingRegressor
from sklearn.metrics import accuracy_score, r2_score
from threadpoolctl import threadpool_limits


def load(path):
    data = np.loadtxt(path, delimiter=",", skiprows=1)
    return data[:, :-1], data[:, -1]


def lightgbm_fit(x, y, classification, classes, threads):
    params = dict(n_estimators=100, learning_rate=0.1, num_leaves=31, max_depth=-1, min_child_samples=20,
                  max_bin=255, reg_lambda=0.0, subsample=1.0, colsample_bytree=1.0, n_jobs=threads, verbose=-1,
                  force_col_wise=False)
    model = lgb.LGBMClassifier(**params) if classification else lgb.LGBMRegressor(**params)
    start, cpu = time.perf_counter(), time.process_time()
    model.fit(x, y)
    return model, time.perf_counter() - start, time.process_time() - cpu


def sklearn_fit(x, y, classification, classes, threads):
    params = dict(max_iter=100, learning_rate=0.1, max_leaf_nodes=31, min_samples_leaf=20, max_bins=255,
                  l2_regularization=0.0, early_stopping=False)
    model = HistGradientBoostingClassifier(**params) if classification else HistGradientBoostingRegressor(**params)
    with threadpool_limits(limits=threads):
        start, cpu = time.perf_counter(), time.process_time()
        model.fit(x, y)
        return model, time.perf_counter() - start, time.process_time() - cpu


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--forage", default=".build/release/forage")
    parser.add_argument("--data", default="Experiments/data")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--rows", type=int, default=100000)
    parser.add_argument("--threads", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--tables", nargs="+", default=None, help="only these tables (default: all six)")
    args = parser.parse_args()
    work = tempfile.mkdtemp(prefix="forage-gbdt-")
    out = subprocess.run(
        [args.forage, "bench", "automl", "--data", args.data, "--rows", str(args.rows), "--repeats", str(args.repeats),
         "--export", work, "--json"] + [a for t in args.threads for a in ("--threads", str(t))],
        check=True, capture_output=True, text=True)
    forage = [json.loads(line) for line in out.stdout.splitlines() if line.startswith("{")]
    print(f"load average: {os.getloadavg()}")
    header = f"{'dataset':<14}{'threads':>8}{'forage s':>10}{'lightgbm s':>12}{'sklearn s':>11}{'ratio':>7}   " \
             f"{'cpu fg':>9}{'cpu lgbm':>10}{'cpu skl':>9}{'ratio':>7}   " \
             f"{'forage':>8}{'lightgbm':>10}{'sklearn':>9}  metric"
    print(header)
    for row in forage:
        name, threads = row["dataset"], row["threads"]
        if args.tables and name not in args.tables:
            continue
        x, y = load(os.path.join(work, f"{name}_train.csv"))
        xt, yt = load(os.path.join(work, f"{name}_test.csv"))
        classification = row["metric"] == "accuracy"
        classes = np.unique(y)
        scores, times, cpus = {}, {}, {}
        for label, fit in (("lightgbm", lightgbm_fit), ("sklearn", sklearn_fit)):
            runs, cpu = [], []
            for _ in range(args.repeats):
                model, seconds, cpu_seconds = fit(x, y if not classification else y.astype(int), classification, classes, threads)
                runs.append(seconds)
                cpu.append(cpu_seconds)
            predicted = model.predict(xt)
            scores[label] = accuracy_score(yt.astype(int), predicted) if classification else r2_score(yt, predicted)
            times[label] = statistics.median(runs)
            cpus[label] = statistics.median(cpu)
        ratio = row["fitSeconds"] / times["lightgbm"]
        cpu_ratio = row.get("cpuSeconds", float("nan")) / cpus["lightgbm"]
        print(f"{name:<14}{threads:>8}{row['fitSeconds']:>10.3f}{times['lightgbm']:>12.3f}{times['sklearn']:>11.3f}"
              f"{ratio:>7.2f}   {row.get('cpuSeconds', float('nan')):>9.3f}{cpus['lightgbm']:>10.3f}{cpus['sklearn']:>9.3f}"
              f"{cpu_ratio:>7.2f}   {row['test']:>8.4f}{scores['lightgbm']:>10.4f}{scores['sklearn']:>9.4f}  {row['metric']}",
              flush=True)
    print("ratio = Forage's fit time / LightGBM's, same thread count; cpu = process CPU time (Forage: the whole trial)")


if __name__ == "__main__":
    main()
