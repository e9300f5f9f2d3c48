"""Baseline vs the kept ranking, on the two query halves (A/B: alternate
queries of each category), on two category halves (C1/C2) and on 20 random
query halves."""
from base import *
from common import *
rng = np.random.default_rng(0)
C1 = np.where(np.isin(qc, np.arange(0, nc, 2)))[0]; C2 = np.where(~np.isin(qc, np.arange(0, nc, 2)))[0]
def full(o):
    return {n: metrics(o, qc, pc, idx)[:2] for n, idx in [("A", A), ("B", B), ("C1", C1), ("C2", C2), ("all", None)]}
def show(label, o):
    r = full(o)
    print(f"{label:42s} " + "  ".join(f"{k} {v[0]:.3f}/{v[1]:.3f}" for k, v in r.items()))
    return o
S0 = Qs["{q}"] @ P.T
S1 = Qs["{q} (looking for a product)"] @ P.T
base = show("before: vote w1.0", order(vote_score(S0, pc, nc)))
show("+ band 5/5", band(vote_score(S0, pc, nc), 5, 5))
show("+ template", order(vote_score(S1, pc, nc)))
show("+ template + band", band(vote_score(S1, pc, nc), 5, 5))
fin = show("+ template + band + w1.5 (kept)", band(vote_score(S1, pc, nc, w=1.5), 5, 5))
# random halves: fraction where the kept config beats the baseline on each metric
wins = np.zeros(2); n = 20
for _ in range(n):
    idx = rng.permutation(len(qc))[: len(qc) // 2]
    b = metrics(base, qc, pc, idx); f = metrics(fin, qc, pc, idx)
    wins += [f[0] >= b[0], f[1] >= b[1]]
print(f"random halves: kept ≥ before in P@5 {wins[0]:.0f}/{n}, MRR {wins[1]:.0f}/{n}")
