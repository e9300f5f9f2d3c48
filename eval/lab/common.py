"""Shared setup of the lab scripts: vectors, band re-ranking, printing."""
from base import *
nc = len(cats)
TEMPLATES = ["{q}", "{q} (looking for a product)"]
Qs = {t: embed([t.format(q=q) for q in qtext]) for t in TEMPLATES}
P = embed([compose(p) for p in products])
def diversify(score, start, per_cat_after=1):
    """Ranks < start: by score. Then: categories not yet shown, each one's best
    product, in score order; then the rest by score."""
    out = []
    for i in range(score.shape[0]):
        o = list(np.argsort(-score[i], kind="stable"))
        head = o[:start]
        shown = {pc[j] for j in head}
        tail = []
        for j in o[start:]:
            if pc[j] not in shown:
                tail.append(j); shown.add(pc[j])
        rest = [j for j in o[start:] if j not in set(tail)]
        out.append((head + tail + rest)[:10])
    return np.array(out)
def ev_o(o, label):
    r = [metrics(o, qc, pc, idx) for idx in (A, B, None)]
    print(f"{label:50s} A {r[0][0]:.3f}/{r[0][1]:.3f}  B {r[1][0]:.3f}/{r[1][1]:.3f}  all {r[2][0]:.3f}/{r[2][1]:.3f} zero {r[2][2]}")
def band(score, head, width):
    out = []
    for i in range(score.shape[0]):
        o = list(np.argsort(-score[i], kind="stable"))
        h = o[:head]; shown = {pc[j] for j in h}; b = []
        for j in o[head:]:
            if len(b) == width: break
            if pc[j] not in shown: b.append(j); shown.add(pc[j])
        bs = set(b)
        out.append((h + b + [j for j in o[head:] if j not in bs])[:10])
    return np.array(out)
