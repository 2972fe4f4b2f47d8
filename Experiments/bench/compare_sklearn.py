"""Forage's built-in trainers against scikit-learn on the same 100 000 x 50 table, in one run.

The table is scikit-learn's make_classification(n_samples=100000, n_features=50, n_informative=20, n_classes=2,
random_state=0). Both sides fit with one BLAS thread and are scored on the same held-out 20% of the rows (stratified):
Forage reads the other 80% from a CSV and keeps 1/16 of them for validation, scikit-learn trains on a 75% split of its
own (standardised on those rows), and Forage's test accuracy comes from `forage predict` on the held-out rows:
  MLP       64 hidden ReLU units, Adam lr 1e-3, L2 1e-4, batch 200, 20 epochs
  logistic  L-BFGS, L2 1/(C*n) with C=1, at most 200 iterations, tolerance 1e-4
Forage's time is the trial's duration as the store records it (fit plus validation and test metrics and saving the
model file); scikit-learn's is the fit alone. Each repeat fits every model on both sides, one after the other, so a
busy machine slows both alike; the table shows the median and the range over the repeats.

Usage: python compare_sklearn.py [--forage .build/release/forage] [--rows 100000] [--repeats 3] [--only logistic]
Needs: numpy, scikit-learn, threadpoolctl (in a virtual environment outside the repository).
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import warnings

import numpy as np
from sklearn.datasets import make_classification
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split
from sklearn.neural_network import MLPClassifier
from sklearn.preprocessing import StandardScaler
from threadpoolctl import threadpool_limits

SPEC = """objective: {{metric: val_accuracy, direction: maximize}}
trial: {{model: {family}}}
data: {{path: {csv}, target: y, task: classification, validation: 0.0625, test: 0, seed: 0}}
search_space:
{space}
budget: {{trials: 1, parallel: 1}}
"""
MLP_SPACE = """  hidden: {type: categorical, choices: [64]}
  layers: {type: categorical, choices: [1]}
  activation: {type: categorical, choices: [relu]}
  lr: {type: categorical, choices: [0.001]}
  l2: {type: categorical, choices: [0.0001]}
  batch_size: {type: categorical, choices: [200]}
  epochs: {type: categorical, choices: [20]}"""


def forage_fit(forage, work, name, family, space, csv, test_csv, test_labels):
    """Runs one Forage trial on `csv`; returns its duration and its accuracy on the held-out `test_csv`."""
    spec = os.path.join(work, name + ".yaml")
    with open(spec, "w") as fh:
        fh.write(SPEC.format(family=family, csv=csv, space=space))
    store = os.path.join(work, "store")
    subprocess.run([forage, "run", spec, "--store", store, "--name", name], check=True, stdout=subprocess.DEVNULL)
    out = subprocess.run([forage, "trials", name, "--format", "json", "--store", store], check=True, capture_output=True, text=True)
    trial = json.loads(out.stdout)["trials"][0]
    predicted = subprocess.run(
        [forage, "predict", f"{name}/{trial['number']}", "--input", test_csv, "--store", store],
        check=True, capture_output=True, text=True).stdout.split()[1:]
    accuracy = float(np.mean(np.array(predicted).astype(float).astype(int) == test_labels))
    return trial["duration_s"], accuracy


def write_csv(path, X, y=None):
    names = [f"f{i}" for i in range(X.shape[1])]
    if y is None:
        np.savetxt(path, X, delimiter=",", header=",".join(names), comments="", fmt="%.9g")
    else:
        np.savetxt(path, np.column_stack([X, y]), delimiter=",", header=",".join(names + ["y"]), comments="",
                   fmt=["%.9g"] * X.shape[1] + ["%d"])


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--forage", default=".build/release/forage")
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--only", choices=["logistic", "mlp"], help="compare one model only")
    args = parser.parse_args()
    load_before = os.getloadavg()
    forage = os.path.abspath(args.forage)
    work = tempfile.mkdtemp(prefix="forage-vs-sklearn-")
    X, y = make_classification(n_samples=args.rows, n_features=50, n_informative=20, n_classes=2, random_state=0)
    # One held-out test set for both: 20% of the rows. Forage reads the other 80% from a CSV and keeps 1/16 of them
    # for validation, so both sides train on 75% of all rows (not the same 75%) and are scored on the same 20%.
    X_trval, X_te, y_trval, y_te = train_test_split(X, y, test_size=0.2, random_state=0, stratify=y)
    csv = os.path.join(work, "clf.csv")
    test_csv = os.path.join(work, "clf-test.csv")
    write_csv(csv, X_trval, y_trval)
    write_csv(test_csv, X_te)
    X_tr, _, y_tr, _ = train_test_split(X_trval, y_trval, test_size=0.0625, random_state=0, stratify=y_trval)
    scaler = StandardScaler().fit(X_tr)
    X_tr_scaled, X_te_scaled = scaler.transform(X_tr), scaler.transform(X_te)
    l2_logistic = 1.0 / len(y_tr)
    models = {
        "mlp": (lambda: MLPClassifier(hidden_layer_sizes=(64,), batch_size=200, max_iter=20, learning_rate_init=1e-3,
                                      alpha=1e-4, early_stopping=False, random_state=0), "mlp", MLP_SPACE),
        "logistic": (lambda: LogisticRegression(solver="lbfgs", max_iter=200, tol=1e-4), "logistic",
                     f"  l2: {{type: categorical, choices: [{l2_logistic:.9g}]}}\n  epochs: {{type: categorical, choices: [200]}}"),
    }
    results = {}  # (model, tool) -> [(seconds, accuracy)]
    for repeat in range(args.repeats):
        for label, (make, family, space) in models.items():
            if args.only and label != args.only:
                continue
            with threadpool_limits(limits=1):
                model = make()
                start = time.perf_counter()
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore", ConvergenceWarning)
                    model.fit(X_tr_scaled, y_tr)
                seconds = time.perf_counter() - start
            results.setdefault((label, "scikit-learn"), []).append((seconds, model.score(X_te_scaled, y_te)))
            seconds, accuracy = forage_fit(forage, work, f"clf-{label}-{repeat}", family, space, csv, test_csv, y_te)
            results.setdefault((label, "forage"), []).append((seconds, accuracy))
    print(f"load average before: {' '.join(f'{v:.2f}' for v in load_before)}, after: "
          f"{' '.join(f'{v:.2f}' for v in os.getloadavg())}; {args.repeats} repeats")
    print(f"{'model':10} {'tool':14} {'median s':>9} {'min..max s':>15} {'test accuracy':>14}")
    for (label, tool), runs in sorted(results.items()):
        times = [t for t, _ in runs]
        print(f"{label:10} {tool:14} {statistics.median(times):9.3f} {min(times):7.3f}..{max(times):<7.3f} "
              f"{statistics.median(a for _, a in runs):14.4f}")
    for label in models:
        if (label, "forage") in results and (label, "scikit-learn") in results:
            ratios = [f[0] / s[0] for f, s in zip(results[(label, "forage")], results[(label, "scikit-learn")])]
            print(f"{label}: forage / scikit-learn time per repeat: {', '.join(f'{r:.2f}' for r in ratios)} "
                  f"(median {statistics.median(ratios):.2f})")


if __name__ == "__main__":
    sys.exit(main())
