"""Diffusion over the catalog's own nearest-neighbour graph (manifold
ranking: the query's nearest products seed a random walk on a mutual kNN
graph of the products), as a signal beside the cosine, on top of the kept
ranking. Not kept: see docs/search-quality.md.

    /tmp/lab/bin/python eval/lab/diffusion.py
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import *  # noqa: E402,F401

TEMPLATE = "{q} (looking for a product)"
S1 = Qs[TEMPLATE] @ P.T
G = P @ P.T
np.fill_diagonal(G, 0)


def graph(k, gamma):
    """Symmetrically normalised mutual kNN graph, edge weight cos^gamma."""
    W = np.zeros_like(G)
    nearest = np.argsort(-G, axis=1)[:, :k]
    for i in range(len(G)):
        W[i, nearest[i]] = np.maximum(G[i, nearest[i]], 0) ** gamma
    W = np.minimum(W, W.T)
    d = W.sum(1)
    d[d == 0] = 1
    return W / np.sqrt(d)[:, None] / np.sqrt(d)[None, :]


def seeds(S, n, T=0.05):
    """The query's n nearest products, softmax-weighted as in the vote."""
    Y = np.zeros_like(S)
    top = np.argsort(-S, axis=1)[:, :n]
    for i in range(len(S)):
        c = S[i, top[i]]
        Y[i, top[i]] = np.exp((c - c[0]) / T)
    return Y


ev_o(band(vote_score(S1, pc, nc, w=1.5), 5, 5), "kept ranking")
for k in [5, 10, 20]:
    for gamma in [1, 3]:
        W = graph(k, gamma)
        for alpha in [0.5, 0.8, 0.9]:
            walk = np.linalg.inv(np.eye(len(G)) - alpha * W)
            for n in [10, 30]:
                F = seeds(S1, n) @ walk.T
                F /= F.max(1, keepdims=True)
                for w in [0.1, 0.3]:
                    ev_o(band(vote_score(S1 + w * F, pc, nc, w=1.5), 5, 5),
                         f"k{k} cos^{gamma} alpha {alpha} seeds {n} weight {w}")
