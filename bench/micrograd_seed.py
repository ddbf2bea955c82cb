"""
The CLI seed call's work in micrograd, as a whole process: (x^2+1)^3 at x = 2, forward and backward, printing
the value and dL/dx (125 and 300). `bench/cli.ts` times this process beside `node dist/cli.js "(x^2+1)^3" --at x=2`.

    python3 bench/micrograd_seed.py
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from micrograd_engine import Value  # noqa: E402

x = Value(2.0)
y = (x**2 + 1)**3
y.backward()
print(f"value {y.data:g}")
print(f"dy/dx {x.grad:g}")
