"""FLOP efficiency of LSTM training against the machine's matrix-multiply peak.

Reads the LSTM cases at hidden size 128 from the training benchmark's record
and counts training FLOPs with the model of the performance notes: per step and
window, the forward pass costs 8 H (H + I) FLOPs for the LSTM and 2 H d for the
readout, and training about 3 times the forward pass. The peak is the best of
several float32 matrix products of size 2048 with the same torch threads.

    python benchmarks/bench_flops.py benchmarks/results/training.json [output.json]
"""

import json
import sys
import time

import torch


def matmul_peak(size=2048, repeats=10):
    a, b = torch.randn(size, size), torch.randn(size, size)
    a @ b
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        a @ b
        best = min(best, time.perf_counter() - start)
    return 2 * size**3 / best


def main(training_path, path=None):
    torch.set_num_threads(2)
    with open(training_path) as f:
        training = json.load(f)
    settings = training["settings"]
    peak = matmul_peak()
    record = {"matmul_peak_gflops": peak / 1e9, "cases": []}
    print(f"float32 matmul peak: {peak / 1e9:.1f} GFLOP/s")
    for case in training["cases"]:
        if case["unit"] != "lstm" or case["hidden_size"] != 128:
            continue
        H, inputs, d = case["hidden_size"], settings["dim"], settings["dim"]
        steps = settings["windows"] * case["window"] * settings["epochs"]
        flops = 3 * steps * (8 * H * (H + inputs) + 2 * H * d)
        rate = flops / case["library_s"]
        record["cases"].append(
            {
                "window": case["window"],
                "training_gflop": flops / 1e9,
                "gflops": rate / 1e9,
                "share_of_peak": rate / peak,
            }
        )
        print(
            f"lstm H=128 T={case['window']}: {flops / 1e9:.0f} GFLOP in "
            f"{case['library_s']:.2f} s = {rate / 1e9:.1f} GFLOP/s, "
            f"{rate / peak:.0%} of the peak"
        )
    if path:
        with open(path, "w") as f:
            json.dump(record, f, indent=1)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2] if len(sys.argv) > 2 else None)
