"""A Forage command trial using the forage package: reports every epoch, checkpoints, leaves on forage.Pruned."""
import json
import os

import forage

p = forage.params(defaults={"lr": 0.1, "epochs": 27})
path = os.path.join(forage.checkpoint_dir(), "state.json")
epoch, w = 0, 5.0
if os.path.exists(path):                     # a retry of an interrupted attempt: go on from the checkpoint
    with open(path) as f:
        state = json.load(f)
    epoch, w = state["epoch"], state["w"]
    print(f"resuming at epoch {epoch}")
try:
    while epoch < p["epochs"]:
        w -= p["lr"] * 2 * (w - 1.0)         # one epoch of "training"
        epoch += 1
        with open(path + ".tmp", "w") as f:  # atomic: the process may be killed at any instant
            json.dump({"epoch": epoch, "w": w}, f)
        os.replace(path + ".tmp", path)
        forage.report(step=epoch, loss=(w - 1.0) ** 2)
except forage.Pruned as stop:
    print(f"stopped at epoch {stop.step}: cleaning up")
    raise SystemExit(0)
forage.report(loss=(w - 1.0) ** 2)
