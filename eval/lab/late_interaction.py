"""Token-level late interaction (ColBERT-style MaxSim over the model's last
layer, no pooling) as a signal beside the pooled cosine, on top of the kept
ranking. Not kept: see docs/search-quality.md.

    /tmp/lab/bin/python eval/lab/late_interaction.py

all-MiniLM-L6-v2 was trained for mean-pooled vectors, not for MaxSim; this
measures whether its token states still carry a useful matching signal.
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import *  # noqa: E402,F401
import minilm  # noqa: E402


def tokens(text):
    """Unit vectors of the text's word pieces ([CLS] and [SEP] dropped)."""
    names, states = minilm.token_states(text)
    keep = [i for i, t in enumerate(names) if t not in ("[CLS]", "[SEP]")]
    m = states[keep]
    return m / np.linalg.norm(m, axis=1, keepdims=True)


TEMPLATE = "{q} (looking for a product)"
PT = [tokens(compose(p)) for p in products]
QT = [tokens(TEMPLATE.format(q=q)) for q in qtext]
# MaxSim: each query token's best match in the product, averaged over the query.
L = np.array([[(q @ d.T).max(1).mean() for d in PT] for q in QT])
S1 = Qs[TEMPLATE] @ P.T
ev_o(band(vote_score(S1, pc, nc, w=1.5), 5, 5), "kept ranking")
ev_o(band(vote_score(L, pc, nc, w=1.5), 5, 5), "MaxSim alone")
for lam in [0.25, 0.5, 1, 2]:
    S = S1 + lam * (L - L.mean(1, keepdims=True))
    ev_o(band(vote_score(S, pc, nc, w=1.5), 5, 5), f"cosine + {lam} x MaxSim")
    ev_o(band(vote_score(S1, pc, nc, w=1.5, basis=S), 5, 5), f"votes from cosine + {lam} x MaxSim")
