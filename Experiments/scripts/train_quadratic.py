"""A stand-in training program for command trials: reads its parameters, reports a learning curve, prints a result.

Forage passes parameters as {name} placeholders, FORAGE_PARAMS (JSON) and FORAGE_PARAM_<NAME>; every stdout line
that is a JSON object of numbers is a metric report (DESIGN §5)."""
import json
import os
import sys
import time

params = json.loads(os.environ["FORAGE_PARAMS"])
lr, momentum = params["lr"], params["momentum"]
loss = 10.0
for epoch in range(1, 6):
    time.sleep(0.05)
    loss = loss * (1 - min(lr * 10, 0.9)) + (momentum - 0.8) ** 2
    print(json.dumps({"step": epoch, "loss": loss}))
    sys.stdout.flush()
with open(os.path.join(os.environ["FORAGE_TRIAL_DIR"], "model.txt"), "w") as f:
    f.write(f"lr={lr} momentum={momentum}\n")
print(json.dumps({"loss": loss}))
