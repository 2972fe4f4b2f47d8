"""A stand-in for a model whose accuracy and latency trade off: wider and deeper is more accurate but slower.

Prints one JSON line of final metrics, as any Forage command trial does."""
import json
import math
import sys

width, depth, dropout = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3])
capacity = math.log2(width) * depth
accuracy = 0.97 - 0.45 * math.exp(-capacity / 9) - 0.25 * (dropout - 0.2) ** 2
latency_ms = 0.02 * width * depth ** 1.3 / 8 + 0.3
print(json.dumps({"val_accuracy": round(accuracy, 4), "latency_ms": round(latency_ms, 3), "params_k": width * depth}))
