"""Predicts a CSV with an ONNX model exported by `forage models export --format onnx`, through ONNX Runtime.

Usage: python onnx_predict.py MODEL.onnx INPUT.csv
Prints a CSV like `forage predict --proba`: `prediction` then, for a classifier, `proba_<label>` columns.
Numeric inputs are float64 [N, 1] (an empty cell is NaN), categorical inputs strings [N, 1]. With the `onnx` package
installed, the model first goes through `onnx.checker` (a failure exits non-zero).
"""
import csv
import sys

import numpy as np
import onnxruntime as ort


def canonical(text):
    try:
        value = float(text)
    except ValueError:
        return text
    if value == int(value) and abs(value) < 1e15:
        return str(int(value))
    return repr(value)


def check(model_path):
    """Runs the ONNX checker (full check, with shape inference) when the `onnx` package is installed."""
    try:
        import onnx
    except ImportError:
        return
    onnx.checker.check_model(onnx.load(model_path), full_check=True)


def main(model_path, csv_path):
    check(model_path)
    session = ort.InferenceSession(model_path, providers=["CPUExecutionProvider"])
    with open(csv_path, newline="") as handle:
        rows = list(csv.DictReader(handle))
    feeds = {}
    for spec in session.get_inputs():
        cells = [row[spec.name] for row in rows]
        if spec.type == "tensor(string)":
            feeds[spec.name] = np.array([canonical(c) if c not in ("", "NA", "NaN", "nan") else "" for c in cells], dtype=object).reshape(-1, 1)
        else:
            feeds[spec.name] = np.array([float(c) if c not in ("", "NA") else np.nan for c in cells], dtype=np.float64).reshape(-1, 1)
    names = [output.name for output in session.get_outputs()]
    results = dict(zip(names, session.run(names, feeds)))
    out = csv.writer(sys.stdout, lineterminator="\n")
    if "label" in results:
        labels = [str(label) for label in results["label"]]
        probabilities = results["probabilities"]
        out.writerow(["prediction"] + ["p%d" % k for k in range(probabilities.shape[1])])
        for label, row in zip(labels, probabilities):
            out.writerow([label] + [repr(float(p)) for p in row])
    else:
        out.writerow(["prediction"])
        for value in results["prediction"].reshape(-1):
            out.writerow([repr(float(value))])


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
