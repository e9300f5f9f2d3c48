"""Ranking variants over cached vectors (see lab.py)."""
import numpy as np


def vote_shares(S, pcat_idx, ncat, k=30, T=0.05, basis=None):
    """Per query, each category's share of softmax votes of the k nearest
    (by `basis`, default S)."""
    B = S if basis is None else basis
    nq = S.shape[0]
    shares = np.zeros((nq, ncat), dtype=np.float64)
    top = np.argsort(-B, axis=1)[:, :k]
    for i in range(nq):
        c = B[i, top[i]]
        w = np.exp((c - c[0]) / max(T, 1e-9))
        np.add.at(shares[i], pcat_idx[top[i]], w)
        shares[i] /= w.sum()
    return shares


def vote_score(S, pcat_idx, ncat, k=30, T=0.05, w=1.0, basis=None):
    sh = vote_shares(S, pcat_idx, ncat, k, T, basis)
    return S + w * sh[:, pcat_idx]


def order(score, n=10):
    return np.argsort(-score, axis=1, kind="stable")[:, :n]
