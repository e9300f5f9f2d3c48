"""How far MRR@10 can go by re-ordering what this model finds.

1. Confidence-gated interleaving: when the vote's leading category holds
   less than `tau` of the votes, the best product of each of the next m-1
   categories moves up to place pos+1 (then the usual band). This trades
   P@5 for MRR@10.
2. The ceiling: one product per category, categories in the vote's order
   (or the plain cosine's). No ordering that follows these category
   rankings can have a higher MRR@10: its first hit is at best at the
   rank of the right category.

    /tmp/lab/bin/python eval/lab/ceiling.py
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import *  # noqa: E402,F401

TEMPLATE = "{q} (looking for a product)"
S1 = Qs[TEMPLATE] @ P.T
shares = vote_shares(S1, pc, nc)
V = S1 + 1.5 * shares[:, pc]


def with_band(o):
    head = o[:5]
    shown = {pc[j] for j in head}
    b = []
    for j in o[5:]:
        if len(b) == 5:
            break
        if pc[j] not in shown:
            b.append(j)
            shown.add(pc[j])
    return (head + b + [j for j in o[5:] if j not in set(b)])[:10]


def gated(tau, m, pos):
    out = []
    for i in range(len(V)):
        o = list(np.argsort(-V[i], kind="stable"))
        ranked = np.argsort(-shares[i])
        if shares[i, ranked[0]] < tau:
            picks = [next(j for j in o if pc[j] == c) for c in ranked[1:m] if shares[i, c] > 0]
            rest = [j for j in o if j not in picks]
            o = rest[:pos] + picks + rest[pos:]
        out.append(with_band(o))
    return np.array(out)


def one_per_category(category_order, score):
    return np.array([[next(j for j in np.argsort(-score[i]) if pc[j] == c) for c in category_order[i][:10]]
                     for i in range(len(score))])


ev_o(band(V, 5, 5), "kept ranking")
for tau in [0.4, 0.5, 0.6, 0.7, 0.8]:
    for m in [2, 3]:
        for pos in [1, 2, 3]:
            ev_o(gated(tau, m, pos), f"gated: tau {tau}, {m - 1} more categories at place {pos + 1}")
ev_o(one_per_category([np.argsort(-shares[i], kind="stable") for i in range(len(V))], V),
     "ceiling: one per category, vote order")
by_cosine = []
for i in range(len(S1)):
    seen = []
    for j in np.argsort(-S1[i]):
        if pc[j] not in seen:
            seen.append(pc[j])
    by_cosine.append(seen)
ev_o(one_per_category(by_cosine, S1), "ceiling: one per category, cosine order")
