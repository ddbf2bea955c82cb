"""
The benchmark's tracer.balanced graph in micrograd (micrograd_engine.py, a faithful copy of its engine.py):
inputs x_i from the same seeded PRNG as bench/graphs.ts (mulberry32, seed 42, values in [-1, 1)), terms
((x_i * x_{(i+1) mod n}) + 1)**2, summed pairwise as a balanced tree, then backward().

Prints one JSON object: per-run forward/backward times, the node count (every Value micrograd creates,
including the Value(1) that `+ 1` wraps), and the output and d out/d x_0 so the bench can check both engines
computed the same thing.

    python3 bench/micrograd_bench.py --n 100000 --runs 5
"""
import argparse
import gc
import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from micrograd_engine import Value  # noqa: E402


def mulberry32(seed):
    s = seed & 0xFFFFFFFF

    def imul(a, b):
        return (a * b) & 0xFFFFFFFF

    def rand():
        nonlocal s
        s = (s + 0x6D2B79F5) & 0xFFFFFFFF
        t = s
        t = imul(t ^ (t >> 15), t | 1)
        t ^= (t + imul(t ^ (t >> 7), t | 61)) & 0xFFFFFFFF
        return ((t ^ (t >> 14)) & 0xFFFFFFFF) / 4294967296

    return rand


def input_values(n, seed=42):
    rand = mulberry32(seed)
    return [rand() * 2 - 1 for _ in range(n)]


def run(xs_data):
    n = len(xs_data)
    created_before = Value.created
    c0 = time.process_time()
    t0 = time.perf_counter()
    xs = [Value(v) for v in xs_data]
    level = [((xs[i] * xs[(i + 1) % n]) + 1) ** 2 for i in range(n)]
    while len(level) > 1:
        nxt = [level[i] + level[i + 1] for i in range(0, len(level) - 1, 2)]
        if len(level) % 2:
            nxt.append(level[-1])
        level = nxt
    out = level[0]
    t1 = time.perf_counter()
    out.backward()
    t2 = time.perf_counter()
    c1 = time.process_time()
    return {
        'cpu_ms': (c1 - c0) * 1e3,
        'forward_ms': (t1 - t0) * 1e3,
        'backward_ms': (t2 - t1) * 1e3,
        'nodes': Value.created - created_before,
        'output': out.data,
        'grad0': xs[0].grad,
    }


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('--n', type=int, default=10000)
    parser.add_argument('--runs', type=int, default=5)
    args = parser.parse_args()
    # build_topo recurses once per level of the graph; this graph is only ~log2(n) + 5 levels deep, so the
    # default limit is enough. Raised anyway so that a deeper shape fails loudly only on real exhaustion.
    sys.setrecursionlimit(max(sys.getrecursionlimit(), 10000))

    # Count every Value created, without changing micrograd's code: wrap __init__ from outside.
    Value.created = 0
    original_init = Value.__init__

    def counting_init(self, *a, **k):
        Value.created += 1
        original_init(self, *a, **k)

    xs_data = input_values(args.n)
    # One run with counting to learn the node count; timed runs use micrograd's own __init__ untouched.
    Value.__init__ = counting_init
    counted = run(xs_data)
    Value.__init__ = original_init
    nodes = counted['nodes']

    runs = []
    for _ in range(args.runs):
        gc.collect()
        r = run(xs_data)
        r['nodes'] = nodes
        runs.append(r)
    print(json.dumps({
        'n': args.n,
        'nodes': nodes,
        'python': sys.version.split()[0],
        'runs': runs,
    }))


if __name__ == '__main__':
    main()
