import sys, os
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import numpy as np
from lab import *
from rank import *

products, queries = load_set()
cats = sorted({p["category"] for p in products})
pc = np.array([cats.index(p["category"]) for p in products])
qc = np.array([cats.index(q["expected_category"]) for q in queries])
qtext = [q["query"] for q in queries]
# CV halves: alternate queries within each category.
half = np.zeros(len(queries), int)
seen = {}
for i, c in enumerate(qc):
    half[i] = seen.get(c, 0) % 2
    seen[c] = seen.get(c, 0) + 1
A, B = np.where(half == 0)[0], np.where(half == 1)[0]


def ev(score, label=""):
    o = order(score)
    r = [metrics(o, qc, pc, idx) for idx in (A, B, None)]
    print(f"{label:50s} A {r[0][0]:.3f}/{r[0][1]:.3f}  B {r[1][0]:.3f}/{r[1][1]:.3f}  all {r[2][0]:.3f}/{r[2][1]:.3f} zero {r[2][2]}")
    return r
