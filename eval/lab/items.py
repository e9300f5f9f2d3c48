"""Item-level and category-level relevance of ranking variants, on one run.

    PGHOST=... python eval/lab/items.py            # the table (markdown)

Sets (see eval/README.md, "Item-level relevance"):
* category: queries.csv over products.csv (P@5, MRR@10 by category);
* known items: known_items.csv over products.csv (recall@5, MRR@10 of the
  one expected product), and again over the generated 10 000-product sample
  catalog plus products.csv ("10k");
* category (10k): queries.csv over the same 10 220 products, a hit being a
  product of the expected category (a guard: the category set proper sees
  220 products only);
* needles: needles.csv over the generated 10 000-product sample catalog
  plus the needles (recall@5, MRR@10 of the needle);
* SKU and name lookups over products.csv (top-1);
* the kite: 'Aurora Lantern Kite' (category `toys`) inserted into the
  generated catalog, query "glowing lantern kite for the beach".

Each query sees what the service sees: the 200 nearest vectors (cosine,
ties by id) plus the lexical list of lexical.rs (fulltext.py), lexical
matches outside the 200 with their cosine; the ranking is a pure function
of that window (ranking_ref.py). Products are embedded as
"{category}: {name}. {description}", queries as
"{normalised query} (looking for a product)" (the window, the vote) and as
the normalised query alone (the distinct score of ranking step 8).
"""
import csv
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import numpy as np  # noqa: E402

from lab import ROOT, compose, embed  # noqa: E402
from fulltext import lexical_lists, normalise  # noqa: E402
import ranking_ref as rr  # noqa: E402

WINDOW = 200
TEMPLATE = "{q} (looking for a product)"
KITE = {"sku": "KITE-AUR-01", "name": "Aurora Lantern Kite",
        "description": "A kite shaped like a glowing paper lantern that flies in light sea "
                       "breezes and lights up at dusk.",
        "price": "39.00", "category": "toys"}
KITE_QUERY = "glowing lantern kite for the beach"
GENERATED = os.path.join(ROOT, ".local/lab/generated.csv")


def read(name):
    return list(csv.DictReader(open(os.path.join(ROOT, "eval", name), newline="", encoding="utf-8")))


def generated_catalog():
    """The 10 000-product sample catalog `make up` loads (catalogctl's
    default seed), cached in .local/lab/."""
    if not os.path.exists(GENERATED):
        exe = next((p for p in (os.environ.get("CATALOGCTL", ""),
                                os.path.join(ROOT, "target/release/catalogctl"),
                                "/work/lab-bin/catalogctl") if p and os.path.exists(p)), None)
        if exe is None:
            raise SystemExit("items: build catalogctl (cargo build --release) or set CATALOGCTL")
        out = subprocess.run([exe, "generate", "--rows", "10000"], capture_output=True,
                             text=True, check=True).stdout
        os.makedirs(os.path.dirname(GENERATED), exist_ok=True)
        open(GENERATED, "w").write(out)
    return list(csv.DictReader(open(GENERATED, newline="", encoding="utf-8")))


def halves_by(groups):
    """0/1 per row: alternate rows within each group, in file order."""
    seen, out = {}, []
    for g in groups:
        out.append(seen.get(g, 0) % 2)
        seen[g] = seen.get(g, 0) + 1
    return np.array(out)


# The distinct score of ranking step 8: the query as typed ("typed") or in
# the template ("framed"), crowding over K neighbours with weight beta
# (ranking_ref's constants); `extra`, when set, is a function (products,
# queries) -> ((query index, candidate indices) -> array) whose values are
# added to the scores. distinct_tune.py varies these.
DISTINCT = dict(form="typed", K=rr.CROWDING_NEIGHBOURS, beta=rr.CROWDING_WEIGHT, extra=None)


def windows(products, P, queries):
    """Candidate windows of `queries` (raw text) over `products` (P: their
    vectors, ids = row index + 1)."""
    Q = embed([TEMPLATE.format(q=normalise(q)) for q in queries])
    T = Q if DISTINCT["form"] == "framed" else embed([normalise(q) for q in queries])
    S = Q @ P.T
    lex = lexical_lists(products, queries)
    extra = DISTINCT["extra"](products, queries) if DISTINCT["extra"] else None
    out = []
    for i in range(len(queries)):
        s = S[i]
        # nearest WINDOW by cosine, ties by id (stable sort on -score)
        top = np.argsort(-s, kind="stable")[:WINDOW]
        cands = {}
        for j in top:
            cands[j] = [int(j) + 1, products[j]["category"] or None, float(s[j]), None]
        for rank, (j, kind) in enumerate(lex[i]):
            if j not in cands:
                cands[j] = [j + 1, products[j]["category"] or None, float(s[j]), None]
            cands[j][3] = (rank, kind)
        js = np.array(list(cands.keys()))
        distinct = P[js] @ T[i] - DISTINCT["beta"] * rr.crowding(P[js], DISTINCT["K"])
        if extra is not None:
            distinct = distinct + extra(i, js)
        out.append([rr.Candidate(*c, float(d)) for c, d in zip(cands.values(), distinct)])
    return out


class Sets:
    def __init__(self):
        products = read("products.csv")
        queries = read("queries.csv")
        known = read("known_items.csv")
        needles = read("needles.csv")
        gen = generated_catalog()
        gen_cats = {p["category"] for p in gen}
        assert not gen_cats & {n["category"] for n in needles}, "a needle's category is in the generated catalog"
        self.kite_category_in_generated = KITE["category"] in gen_cats
        self.generated_categories = sorted(gen_cats)
        sku_index = {p["sku"]: i for i, p in enumerate(products)}

        P = embed([compose(p) for p in products])
        self.pcat = [p["category"] for p in products]
        # category set
        self.cat_w = windows(products, P, [q["query"] for q in queries])
        self.cat_target = [q["expected_category"] for q in queries]
        self.cat_half = halves_by(self.cat_target)
        # known items
        self.ki_w = windows(products, P, [k["query"] for k in known])
        self.ki_target = [sku_index[k["expected_sku"]] + 1 for k in known]
        self.ki_half = halves_by(products[t - 1]["category"] for t in self.ki_target)
        # exact lookups
        self.sku_w = windows(products, P, [p["sku"] for p in products])
        self.name_w = windows(products, P, [p["name"] for p in products])
        self.exact_target = list(range(1, len(products) + 1))
        # needles, over the generated catalog + the needles
        G = embed([compose(p) for p in gen])
        catalog = gen + [{k: n[k] for k in ("sku", "name", "description", "price", "category")}
                         for n in needles]
        N = embed([compose(p) for p in catalog[len(gen):]])
        self.nd_w = windows(catalog, np.vstack([G, N]), [n["query"] for n in needles])
        self.nd_target = [len(gen) + i + 1 for i in range(len(needles))]
        self.nd_half = halves_by([0] * len(needles))
        self.nd_names = [n["name"] for n in needles]
        # known items and category queries again, inside the generated
        # catalog + products.csv (same category names but `Music`)
        self.ki10k_w = windows(gen + products, np.vstack([G, P]), [k["query"] for k in known])
        self.ki10k_target = [len(gen) + t for t in self.ki_target]
        self.cat10k_w = windows(gen + products, np.vstack([G, P]), [q["query"] for q in queries])
        # the kite
        kite_catalog = gen + [KITE]
        K = embed([compose(KITE)])
        self.kite_w = windows(kite_catalog, np.vstack([G, K]), [KITE_QUERY])[0]
        self.kite_target = len(gen) + 1


def rank_of(ordered, target, n=10):
    for k, c in enumerate(ordered[:n]):
        if c.product_id == target:
            return k + 1
    return None


def evaluate(s, fn):
    """Per-query figures of ranking `fn` (window -> ordered window)."""
    r = {}
    p5, mrr = [], []
    for w, cat in zip(s.cat_w, s.cat_target):
        o = fn(w)[:10]
        hits = [c.category == cat for c in o]
        p5.append(sum(hits[:5]) / 5)
        k = next((i for i, h in enumerate(hits) if h), None)
        mrr.append(0.0 if k is None else 1 / (k + 1))
    r["cat"] = (np.array(p5), np.array(mrr), s.cat_half)
    p5, mrr = [], []
    for w, cat in zip(s.cat10k_w, s.cat_target):
        o = fn(w)[:10]
        hits = [c.category == cat for c in o]
        p5.append(sum(hits[:5]) / 5)
        k = next((i for i, h in enumerate(hits) if h), None)
        mrr.append(0.0 if k is None else 1 / (k + 1))
    r["cat10k"] = (np.array(p5), np.array(mrr), s.cat_half)
    for key, ws, ts, half in (("ki", s.ki_w, s.ki_target, s.ki_half),
                              ("ki10k", s.ki10k_w, s.ki10k_target, s.ki_half),
                              ("nd", s.nd_w, s.nd_target, s.nd_half)):
        ranks = [rank_of(fn(w), t) for w, t in zip(ws, ts)]
        rec = np.array([x is not None and x <= 5 for x in ranks], float)
        m = np.array([0.0 if x is None else 1 / x for x in ranks])
        r[key] = (rec, m, half)
        r[key + "_ranks"] = ranks
    r["sku"] = np.mean([rank_of(fn(w), t, 1) == 1 for w, t in zip(s.sku_w, s.exact_target)])
    r["name"] = np.mean([rank_of(fn(w), t, 1) == 1 for w, t in zip(s.name_w, s.exact_target)])
    r["kite"] = rank_of(fn(s.kite_w), s.kite_target, len(s.kite_w))
    return r


METRICS = [("cat", 0, "cat P@5"), ("cat", 1, "cat MRR@10"), ("ki", 0, "item R@5"),
           ("ki", 1, "item MRR@10"), ("ki10k", 0, "item R@5 (10k)"), ("ki10k", 1, "item MRR@10 (10k)"),
           ("nd", 0, "needle R@5"), ("nd", 1, "needle MRR@10"),
           ("cat10k", 0, "cat P@5 (10k)"), ("cat10k", 1, "cat MRR@10 (10k)")]


def figures(r, half=None):
    out = []
    for key, m, _ in METRICS:
        vals, h = r[key][m], r[key][2]
        out.append(float(vals.mean() if half is None else vals[h == half].mean()))
    return out


def table(rows):
    """rows: [(label, result)] -> markdown."""
    head = "| ranking | " + " | ".join(l for _, _, l in METRICS) + " | SKU top-1 | name top-1 | kite rank |"
    lines = [head, "|" + "---|" * (len(METRICS) + 4)]
    for label, r in rows:
        f = figures(r)
        lines.append(f"| {label} | " + " | ".join(f"{x:.3f}" for x in f)
                     + f" | {r['sku']:.3f} | {r['name']:.3f} | {r['kite'] or '> 200'} |")
    return "\n".join(lines)


def ab_table(rows):
    lines = ["| ranking | half | " + " | ".join(l for _, _, l in METRICS) + " |",
             "|" + "---|" * (len(METRICS) + 2)]
    for label, r in rows:
        for h, name in ((0, "A"), (1, "B")):
            lines.append(f"| {label} | {name} | " + " | ".join(f"{x:.3f}" for x in figures(r, h)) + " |")
    return "\n".join(lines)


def kite_by_lead(s, fn, leads):
    """The kite's rank when its cosine leads the best other product by
    `lead` (its cosine set to that; everything else as measured)."""
    w = s.kite_w
    other = max(c.cosine for c in w if c.product_id != s.kite_target)
    out = []
    for lead in leads:
        moved = [c._replace(cosine=other + lead) if c.product_id == s.kite_target else c for c in w]
        out.append(rank_of(fn(moved), s.kite_target, len(moved)))
    return out


def cost(s, fn, reps=3):
    """Mean wall time of `fn` per window (all windows of the run), in ms."""
    import time
    ws = s.cat_w + s.ki_w + s.nd_w
    t = time.perf_counter()
    for _ in range(reps):
        for w in ws:
            fn(w)
    return (time.perf_counter() - t) / (reps * len(ws)) * 1000


R = rr.replace
VARIANTS = [
    ("plain cosine (dense only)", rr.order_cosine),
    ("current: vote 1.5 + RRF + band", rr.order_current),
    ("previous proposal: current + pin (0.05, place 1)", rr.order_pinned),
    ("previous: current + pin + protection of small categories (< 5)", lambda c: rr.order(c, rr.PROTECTED)),
    ("**final: previous + distinct best match (lead >= 0.1)**", rr.order_final),
    ("previous + band only for voted categories", lambda c: rr.order(c, R(rr.PROTECTED, band_min_share=0.0))),
    ("previous, pin margin 0.04", lambda c: rr.order(c, R(rr.PROTECTED, pin_margin=0.04))),
    ("previous + second pin (lead >= 0.03 to place 3)", lambda c: rr.order(c, R(rr.PROTECTED, pin2_margin=0.03, pin2_rank=3))),
    ("previous, protection < 0.5 x largest category", lambda c: rr.order(c, R(rr.PROTECTED, protect_members=0, protect_ratio=0.5))),
    ("protection (< 5) without the pin", lambda c: rr.order(c, R(rr.CURRENT, protect_members=5, protect_scope="window"))),
    ("pin + vote only where >= 2 of the 30 nearest", lambda c: rr.order(c, R(rr.PINNED, protect_members=2))),
    ("size-scaled vote w 3, alpha 1 + pin", lambda c: rr.order(c, R(rr.PINNED, share_alpha=1.0, category_weight=3.0))),
    ("size-scaled vote w 2, alpha 0.75 + pin", lambda c: rr.order(c, R(rr.PINNED, share_alpha=0.75, category_weight=2.0))),
    ("margin-limited vote, delta 0.15 + pin", lambda c: rr.order(c, R(rr.PINNED, vote_delta=0.15))),
    ("vote gated: top share >= 0.7 + pin", lambda c: rr.order(c, R(rr.PINNED, gate_share=0.7))),
]
MAIN = [0, 1, 2, 3, 4]   # rows of the A/B table


def needle_split(s, fn, first=26):
    """Needle R@5 / MRR@10 over the first 26 needles and over the rest."""
    ranks = [rank_of(fn(w), t) for w, t in zip(s.nd_w, s.nd_target)]
    out = []
    for part in (ranks[:first], ranks[first:]):
        out.append((np.mean([r is not None and r <= 5 for r in part]),
                    np.mean([0 if r is None else 1 / r for r in part])))
    return out


if __name__ == "__main__":
    s = Sets()
    print(f"generated catalog: {len(s.generated_categories)} categories; "
          f"'toys' among them: {s.kite_category_in_generated}")
    # the standalone reference equals the parametrised form on every window
    # and the guarantee holds: a clear best match (lead >= PIN_MARGIN) comes
    # right after the exact SKU/name matches
    pinned = protected = 0
    for w in (s.cat_w + s.cat10k_w + s.ki_w + s.ki10k_w + s.nd_w + s.sku_w + s.name_w
              + [s.kite_w]):
        o = rr.order_final(w)
        assert [c.product_id for c in o] == [c.product_id for c in rr.order(w, rr.FINAL)]
        best = rr.clear_best(w, rr.PIN_MARGIN)
        if best is not None:
            pinned += 1
            i = [c.product_id for c in o].index(best.product_id)
            # right after the exact matches, or one lower behind the
            # distinct best match
            assert i <= sum(1 for c in o if rr.exact_tier(c) < 2) + 1
        # the protection: in the semantic list, no protected candidate below
        # its cosine rank
        by_cos = [c.product_id for c in sorted((c for c in w if c.cosine is not None), key=rr.tie_key)]
        by_sem = [c.product_id for c in rr.semantic_list(w, rr.PROTECTED, rr.semantic_scores(w, rr.PROTECTED))]
        size = {}
        for c in w:
            if c.cosine is not None:
                size[c.category] = size.get(c.category, 0) + 1
        for c in w:
            if c.cosine is not None and (c.category is None or size[c.category] < rr.PROTECT_BELOW):
                protected += 1
                assert by_sem.index(c.product_id) <= by_cos.index(c.product_id)
    print(f"order_final == order(FINAL) on every window; {pinned} windows have a clear best match, "
          f"each right after the exact matches (or the distinct best match); {protected} protected candidates, none below "
          "its cosine rank in the semantic list")
    rows = [(label, evaluate(s, fn)) for label, fn in VARIANTS]
    print(table(rows))
    print()
    print(ab_table([rows[i] for i in MAIN]))
    print()
    print("| ranking | needles 1-26 R@5 | MRR@10 | needles 27-44 R@5 | MRR@10 |")
    print("|---|---|---|---|---|")
    for label, fn in [VARIANTS[i] for i in MAIN]:
        (a, b), (c, d) = needle_split(s, fn)
        print(f"| {label} | {a:.3f} | {b:.3f} | {c:.3f} | {d:.3f} |")
    print()
    leads = [0.0, 0.01, 0.02, 0.03, 0.04, 0.05, 0.075, 0.1, 0.15, 0.2]
    ws = sorted(s.kite_w, key=rr.tie_key)
    print(f"kite: cosine {ws[0].cosine:.3f}, next {ws[1].cosine:.3f} (lead {ws[0].cosine - ws[1].cosine:.3f})")
    print("| kite's cosine lead | " + " | ".join(f"{x:g}" for x in leads) + " |")
    print("|---|" + "---|" * len(leads))
    for label, fn in [VARIANTS[i] for i in MAIN[1:]]:
        print(f"| {label} | " + " | ".join(str(r or "> 200") for r in kite_by_lead(s, fn, leads)) + " |")
    print()
    for label, fn in [VARIANTS[i] for i in MAIN]:
        print(f"cost {label}: {cost(s, fn):.3f} ms per window (Python)")
