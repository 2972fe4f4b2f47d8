"""Forage's built-in trainers against scikit-learn on the same 100 000 x 50 table, in one run.

The table is scikit-learn's make_classification(n_samples=100000, n_features=50, n_informative=20, n_classes=2,
random_state=0), written to a CSV. Both sides fit with one BLAS thread on the same training rows (Forage: 75% train,
5% validation, 20% test, stratified; scikit-learn: the same 75/20 proportions, standardised on the training rows):
  MLP       64 hidden ReLU units, Adam lr 1e-3, L2 1e-4, batch 200, 20 epochs
  logistic  L-BFGS, L2 1/(C*n) with C=1, at most 200 iterations, tolerance 1e-4
Forage's time is the trial's duration as the store records it (fit plus validation and test metrics and saving the
model file); scikit-learn's is the fit alone.

Usage: python compare_sklearn.py [--forage .build/release/forage] [--rows 100000]
Needs: numpy, scikit-learn, threadpoolctl (in a virtual environment outside the repository).
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

import numpy as np
from sklearn.datasets import make_classification
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split
from sklearn.neural_network import MLPClassifier
from sklearn.preprocessing import StandardScaler
from threadpoolctl import threadpool_limits

SPEC = """objective: {{metric: val_accuracy, direction: maximize}}
trial: {{model: {family}}}
data: {{path: {csv}, target: y, task: classification, validation: 0.05, test: 0.2, seed: 0}}
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


def forage_fit(forage, work, name, family, space, csv):
    spec = os.path.join(work, name + ".yaml")
    with open(spec, "w") as fh:
        fh.write(SPEC.format(family=family, csv=csv, space=space))
    store = os.path.join(work, "store")
    subprocess.run([forage, "run", spec, "--store", store], check=True, stdout=subprocess.DEVNULL)
    out = subprocess.run([forage, "trials", name, "--format", "json", "--store", store], check=True, capture_output=True, text=True)
    trial = json.loads(out.stdout)["trials"][0]
    return trial["duration_s"], trial["metrics"]["test_accuracy"]


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--forage", default=".build/release/forage")
    parser.add_argument("--rows", type=int, default=100_000)
    args = parser.parse_args()
    forage = os.path.abspath(args.forage)
    work = tempfile.mkdtemp(prefix="forage-vs-sklearn-")
    X, y = make_classification(n_samples=args.rows, n_features=50, n_informative=20, n_classes=2, random_state=0)
    csv = os.path.join(work, "clf.csv")
    header = ",".join(f"f{i}" for i in range(X.shape[1])) + ",y"
    np.savetxt(csv, np.column_stack([X, y]), delimiter=",", header=header, comments="", fmt=["%.9g"] * X.shape[1] + ["%d"])

    X_tr, X_te, y_tr, y_te = train_test_split(X, y, test_size=0.2, random_state=0, stratify=y)
    X_tr, _, y_tr, _ = train_test_split(X_tr, y_tr, test_size=0.0625, random_state=0, stratify=y_tr)  # 75% of all rows
    scaler = StandardScaler().fit(X_tr)
    X_tr, X_te = scaler.transform(X_tr), scaler.transform(X_te)
    rows = []
    with threadpool_limits(limits=1):
        for label, model in [
            ("mlp", MLPClassifier(hidden_layer_sizes=(64,), batch_size=200, max_iter=20, learning_rate_init=1e-3,
                                  alpha=1e-4, early_stopping=False, random_state=0)),
            ("logistic", LogisticRegression(solver="lbfgs", max_iter=200, tol=1e-4)),
        ]:
            start = time.perf_counter()
            model.fit(X_tr, y_tr)
            seconds = time.perf_counter() - start
            rows.append((label, "scikit-learn", seconds, model.score(X_te, y_te)))
    l2_logistic = 1.0 / len(y_tr)
    for label, family, space in [
        ("mlp", "mlp", MLP_SPACE),
        ("logistic", "logistic", f"  l2: {{type: categorical, choices: [{l2_logistic:.9g}]}}\n  epochs: {{type: categorical, choices: [200]}}"),
    ]:
        seconds, accuracy = forage_fit(forage, work, "clf-" + label, family, space, csv)
        rows.append((label, "forage", seconds, accuracy))
    print(f"{'model':10} {'tool':14} {'seconds':>8} {'test accuracy':>14}")
    for label, tool, seconds, accuracy in sorted(rows):
        print(f"{label:10} {tool:14} {seconds:8.3f} {accuracy:14.4f}")


if __name__ == "__main__":
    sys.exit(main())
