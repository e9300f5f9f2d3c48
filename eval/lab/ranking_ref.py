"""Reference implementation of the window ranking, line by line portable to
`frontend/src/search/ranking.rs` (`order`). Pure functions over one candidate
window; no numpy.

A candidate is a `Candidate(product_id, category, cosine, lexical,
distinct)`: `category` may be None, `cosine` is None for a product without
a vector, `lexical` is None or `(rank, kind)` with kind "sku" | "name" |
"words", `distinct` is the distinct score of step 8 of `order_final`
(cosine of the query as typed − CROWDING_WEIGHT × crowding; None without a
vector; items.py computes it, see `crowding`).

`order_final` is the final ranking, written out on its own so it can be
ported line by line (eval/README.md, "The final ranking", has the
specification); it equals `order(cands, FINAL)`. `order(cands, w)` is the
parametrised form the lab sweeps: `order(cands, CURRENT)` is ranking.rs as
it is today, `order(cands, PINNED)` today's plus the pin (the previous
proposal), and every knob of `Weights` below is a variant measured by
`item_tune.py` (most not kept).
"""
import math
from collections import namedtuple
from dataclasses import dataclass, replace

Candidate = namedtuple("Candidate", "product_id category cosine lexical distinct",
                       defaults=(None,))
NEG_INF = float("-inf")


@dataclass(frozen=True)
class Weights:
    category_votes: int = 30
    category_temperature: float = 0.05
    category_weight: float = 1.5
    lexical_weight: float = 1.0
    rrf_k: float = 60.0
    diverse_after: int = 5
    diverse_slots: int = 5
    # --- proposed (0 / inf = off, i.e. today's ranking) -------------------
    # The vote may lift a product by at most this much cosine: the category
    # prior re-orders only within `vote_cap` of the best cosine.
    vote_cap: float = math.inf
    # The product with the best cosine is moved up to place `pin_rank`
    # (1-based) when its cosine leads the second best by >= `pin_margin`.
    pin_margin: float = math.inf
    pin_rank: int = 3
    # A second, softer pin applied after the first: lead >= pin2_margin
    # moves the best up to place pin2_rank.
    pin2_margin: float = math.inf
    pin2_rank: int = 3
    # Not kept: the vote share scaled by ((m + s) / (n_c + s)) ** share_alpha,
    # n_c = the category's candidates in the window, m = their mean over the
    # window's categories, s = share_smooth x m (0 = off); with share_slack
    # > 0 instead: min(1, share_slack x m / n_c) ** share_alpha (only
    # categories crowding the window are scaled down).
    share_alpha: float = 0.0
    share_slack: float = 0.0
    share_smooth: float = 0.0
    # How the size scaling is normalised: "mean" multiplies by
    # (m / n_c) ** share_alpha (m = mean n_c over the window's categories);
    # "window" divides by (n_c / N) ** share_alpha (N = candidates with a
    # category). `size_scope`: "window" counts n_c over the whole window,
    # "voters" over the `category_votes` nearest only (then m and N too).
    share_norm: str = "mean"
    size_scope: str = "window"
    # Margin-limited vote: after the vote, no candidate may come before one
    # whose cosine is higher by more than `vote_delta` (semantic list only).
    vote_delta: float = math.inf
    # Gates: the vote is applied (else weight 0 for this query) only when the
    # top category share >= gate_share, the normalised entropy of the shares
    # <= gate_entropy, and the best cosine leads the second by < gate_lead.
    gate_share: float = 0.0
    gate_entropy: float = math.inf
    gate_lead: float = math.inf
    # Protection: a candidate whose category has fewer than
    # `protect_members` members is placed no lower in the semantic list
    # than its cosine rank (0 = off). Members are counted among the
    # `category_votes` nearest (`protect_scope` "voters", only those can be
    # protected) or over the whole window ("window").
    protect_members: int = 0
    protect_scope: str = "voters"
    # ... or fewer than protect_ratio x the largest category's count.
    protect_ratio: float = 0.0
    # Band scope: only categories whose vote share is > band_min_share may
    # take a band place (-1 = any category, today's band; 0 = categories
    # with a candidate among the `category_votes` nearest).
    band_min_share: float = -1.0
    # Floor: the `floor_top` best cosines that are within `floor_delta` of
    # the best one are moved into the top `floor_place` (0 = off).
    floor_top: int = 0
    floor_delta: float = math.inf
    floor_place: int = 5
    # The distinct best match: the best `distinct` score, when it leads the
    # second by >= distinct_margin, moves to place 1 (after exact matches).
    distinct_margin: float = math.inf


CURRENT = Weights()
# The previous proposal: today's, plus the pin of a clear best match to place 1.
PINNED = replace(CURRENT, pin_margin=0.05, pin_rank=1)
# The previous final ranking: the pin, and small categories protected from
# the vote.
PROTECTED = replace(PINNED, protect_members=5, protect_scope="window")
# The final ranking: that, and the distinct best match pinned first.
FINAL = replace(PROTECTED, distinct_margin=0.1)


def _cos(c):
    return NEG_INF if c.cosine is None else c.cosine


def tie_key(c):
    """Higher cosine first (no vector last), then lower id."""
    return (-_cos(c), c.product_id)


def exact_tier(c):
    if c.lexical is None:
        return 2
    return {"sku": 0, "name": 1}.get(c.lexical[1], 2)


def category_shares(cands, w):
    """Each category's share of the softmax votes of the `category_votes`
    nearest candidates (ranking.rs: category_shares)."""
    nearest = sorted((c for c in cands if c.cosine is not None), key=tie_key)[: w.category_votes]
    shares = {}
    if not nearest:
        return shares
    best = nearest[0].cosine
    t = max(w.category_temperature, 1.1920929e-07)
    total = 0.0
    for c in nearest:
        v = math.exp((c.cosine - best) / t)
        total += v
        if c.category is not None:
            shares[c.category] = shares.get(c.category, 0.0) + v
    if total > 0:
        shares = {k: s / total for k, s in shares.items()}
    return shares


def diversify(ordered, after, slots, eligible=None):
    """`eligible`: the categories that may take a band place (None = any)."""
    if slots == 0 or len(ordered) <= after:
        return ordered
    seen = {c.category for c in ordered[:after] if c.category is not None}
    band = []
    for i in range(after, len(ordered)):
        if len(band) == slots:
            break
        cat = ordered[i].category
        if cat is not None and cat not in seen and (eligible is None or cat in eligible):
            seen.add(cat)
            band.append(i)
    in_band = set(band)
    return (ordered[:after] + [ordered[i] for i in band]
            + [c for i, c in enumerate(ordered) if i >= after and i not in in_band])


def _gate_open(cands, shares, w):
    if w.gate_share > 0 and (max(shares.values()) if shares else 0.0) < w.gate_share:
        return False
    if w.gate_entropy != math.inf and len(shares) > 1:
        h = -sum(v * math.log(v) for v in shares.values() if v > 0) / math.log(len(shares))
        if h > w.gate_entropy:
            return False
    if w.gate_lead != math.inf:
        scored = sorted((c for c in cands if c.cosine is not None), key=tie_key)
        if len(scored) > 1 and scored[0].cosine - scored[1].cosine >= w.gate_lead:
            return False
    return True


def semantic_scores(cands, w, shares=None):
    """cosine + the category vote, with the lab's variants (size scaling,
    cap, gates)."""
    shares = category_shares(cands, w) if shares is None else shares
    if w.share_alpha:
        if w.size_scope == "voters":
            pool = sorted((c for c in cands if c.cosine is not None), key=tie_key)[: w.category_votes]
        else:
            pool = [c for c in cands if c.cosine is not None]
        sizes = {}
        for c in pool:
            if c.category is not None:
                sizes[c.category] = sizes.get(c.category, 0) + 1
        mean = sum(sizes.values()) / len(sizes) if sizes else 1.0
        total = sum(sizes.values())
        if w.share_norm == "window":
            shares = {k: v / (sizes[k] / total) ** w.share_alpha for k, v in shares.items()}
        elif w.share_slack:
            shares = {k: v * min(1.0, w.share_slack * mean / sizes[k]) ** w.share_alpha
                      for k, v in shares.items()}
        else:
            sm = w.share_smooth * mean
            shares = {k: v * ((mean + sm) / (sizes[k] + sm)) ** w.share_alpha for k, v in shares.items()}
    weight = w.category_weight if _gate_open(cands, shares, w) else 0.0
    out = {}
    for c in cands:
        if c.cosine is None:
            continue
        share = shares.get(c.category, 0.0) if c.category is not None else 0.0
        out[c.product_id] = c.cosine + min(weight * share, w.vote_cap)
    return out


def semantic_list(cands, w, semantic):
    """The semantic ranking (best first) with the lab's order constraints:
    the margin limit (`vote_delta`) and the protection of small categories
    (`protect_members`)."""
    by_cos = sorted((c for c in cands if c.product_id in semantic), key=tie_key)
    sem = dict(semantic)
    if w.vote_delta != math.inf:
        # walk down by cosine; a candidate's score is capped by the lowest
        # capped score of every candidate more than vote_delta above it
        j, low = 0, math.inf
        for c in by_cos:
            while j < len(by_cos) and by_cos[j].cosine > c.cosine + w.vote_delta:
                low = min(low, sem[by_cos[j].product_id])
                j += 1
            sem[c.product_id] = min(sem[c.product_id], low)
    ordered = sorted(by_cos, key=lambda c: (-sem[c.product_id],) + tie_key(c))
    if w.protect_members or w.protect_ratio:
        pool = by_cos[: w.category_votes] if w.protect_scope == "voters" else by_cos
        members = {}
        for c in pool:
            members[c.category] = members.get(c.category, 0) + 1
        limit = max(w.protect_members, w.protect_ratio * max(members.values(), default=0))
        protected = {c.product_id for c in pool
                     if c.category is None or members[c.category] < limit}
        ordered = protect(by_cos, ordered, protected)
    return ordered


def protect(by_cos, by_sem, protected):
    """Walks the places 0, 1, 2, ...: place i takes the candidate of cosine
    rank i when it is protected and not placed yet, else the first candidate
    of `by_sem` not placed yet. A protected candidate ends no lower than its
    cosine rank; the others keep their `by_sem` order."""
    out, placed, j = [], set(), 0
    for i in range(len(by_cos)):
        c = by_cos[i]
        if c.product_id not in protected or c.product_id in placed:
            while by_sem[j].product_id in placed:
                j += 1
            c = by_sem[j]
        out.append(c)
        placed.add(c.product_id)
    return out


def fuse(cands, w, semantic, by_sem=None):
    if by_sem is None:
        by_sem = sorted((c for c in cands if c.product_id in semantic),
                        key=lambda c: (-semantic[c.product_id],) + tie_key(c))
    fused = {c.product_id: 0.0 for c in cands}
    for rank, c in enumerate(by_sem):
        fused[c.product_id] += 1.0 / (w.rrf_k + rank + 1.0)
    for c in cands:
        if c.lexical is not None:
            fused[c.product_id] += w.lexical_weight / (w.rrf_k + c.lexical[0] + 1.0)
    return sorted(cands, key=lambda c: (exact_tier(c), -fused[c.product_id]) + tie_key(c))


def clear_leader(cands, score, margin):
    """The candidate whose `score(c)` (None = not scored) leads every other
    by >= margin, ties by lower id, or None (margin inf = off)."""
    scored = sorted((c for c in cands if score(c) is not None),
                    key=lambda c: (-score(c), c.product_id))
    if not scored or margin == math.inf:
        return None
    if len(scored) == 1 or score(scored[0]) - score(scored[1]) >= margin:
        return scored[0]
    return None


def clear_best(cands, margin):
    """The candidate whose cosine leads every other by >= margin, or None."""
    return clear_leader(cands, lambda c: c.cosine, margin)


def pin(ordered, best, rank):
    """Moves `best` up to 0-based index `rank - 1`, after any exact SKU/name
    matches; nothing moves when it is already there or higher."""
    i = next(k for k, c in enumerate(ordered) if c.product_id == best.product_id)
    exact = sum(1 for c in ordered if exact_tier(c) < 2)
    target = max(rank - 1, exact)
    if i <= target:
        return ordered
    rest = ordered[:i] + ordered[i + 1:]
    return rest[:target] + [best] + rest[target:]


def floor(ordered, cands, w):
    """Moves the `floor_top` best cosines within `floor_delta` of the best
    into the top `floor_place` (after exact matches), in cosine order."""
    scored = sorted((c for c in cands if c.cosine is not None), key=tie_key)
    if not w.floor_top or not scored:
        return ordered
    chosen = [c for c in scored[: w.floor_top] if c.cosine >= scored[0].cosine - w.floor_delta]
    at = {c.product_id: i for i, c in enumerate(ordered)}
    exact = sum(1 for c in ordered if exact_tier(c) < 2)
    move = [c for c in chosen if at[c.product_id] > max(w.floor_place - 1, exact)]
    if not move:
        return ordered
    ids = {c.product_id for c in move}
    rest = [c for c in ordered if c.product_id not in ids]
    k = max(w.floor_place - len(move), exact)
    return rest[:k] + move + rest[k:]


def order(cands, w=CURRENT):
    """The whole window, best first."""
    shares = category_shares(cands, w)
    semantic = semantic_scores(cands, w, shares)
    by_sem = semantic_list(cands, w, semantic)
    eligible = None
    if w.band_min_share >= 0:
        eligible = {k for k, v in shares.items() if v > w.band_min_share}
    ordered = diversify(fuse(cands, w, semantic, by_sem), w.diverse_after, w.diverse_slots, eligible)
    ordered = floor(ordered, cands, w)
    best = clear_best(cands, w.pin_margin)
    if best is not None:
        ordered = pin(ordered, best, w.pin_rank)
    best = clear_best(cands, w.pin2_margin)
    if best is not None:
        ordered = pin(ordered, best, w.pin2_rank)
    best = distinct_best(cands, w.distinct_margin)
    if best is not None:
        ordered = pin(ordered, best, 1)
    return ordered


def distinct_best(cands, margin):
    """The candidate whose distinct score leads every other by >= margin
    (ties by lower id), or None."""
    return clear_leader(cands, lambda c: c.distinct, margin)


def crowding(vectors, neighbours):
    """crowding.rs: each vector's mean cosine to its `neighbours` most
    similar others in the window (fewer in a smaller window; 0 alone).
    `vectors`: a numpy array, one L2-normalised row per candidate."""
    import numpy as np
    n = len(vectors)
    k = min(neighbours, n - 1)
    if k <= 0:
        return np.zeros(n)
    sim = vectors @ vectors.T
    np.fill_diagonal(sim, -np.inf)
    return np.sort(sim, axis=1)[:, -k:].mean(1)


def order_current(cands):
    return order(cands, CURRENT)


def order_pinned(cands):
    return order(cands, PINNED)


def order_cosine(cands):
    """Dense only: cosine, then id (the baseline row)."""
    return sorted((c for c in cands if c.cosine is not None), key=tie_key)


# ---------------------------------------------------------------------------
# The final ranking, self-contained (what ranking.rs should become).
# Step numbers match eval/README.md, "The final ranking".

CATEGORY_VOTES = 30          # nearest candidates that vote for their category
CATEGORY_TEMPERATURE = 0.05  # softmax temperature of the votes (cosine units)
CATEGORY_WEIGHT = 1.5        # semantic score = cosine + CATEGORY_WEIGHT x share
RRF_K = 60.0
LEXICAL_WEIGHT = 1.0
DIVERSE_AFTER = 5            # the band starts after this many results
DIVERSE_SLOTS = 5            # and has at most this many places
PROTECT_BELOW = 5            # a category with fewer candidates in the window is protected
PIN_MARGIN = 0.05            # cosine lead over the second-best cosine of the window
PIN_RANK = 1                 # 1-based place the clear best match is moved up to
CROWDING_NEIGHBOURS = 10     # crowding = mean cosine to this many most similar candidates
CROWDING_WEIGHT = 0.7        # distinct score = typed-query cosine - CROWDING_WEIGHT x crowding
DISTINCT_MARGIN = 0.1        # distinct-score lead over the second that pins it first


def protected_semantic_list(by_cosine, by_sem):
    """Step 4 of order_final (also used by items.py to check the
    protection's guarantee)."""
    size = {}
    for c in by_cosine:
        size[c.category] = size.get(c.category, 0) + 1
    protected = {c.product_id for c in by_cosine
                 if c.category is None or size[c.category] < PROTECT_BELOW}
    out, placed, j = [], set(), 0
    for i in range(len(by_cosine)):
        c = by_cosine[i]
        if c.product_id not in protected or c.product_id in placed:
            while by_sem[j].product_id in placed:
                j += 1
            c = by_sem[j]
        out.append(c)
        placed.add(c.product_id)
    return out


def order_final(cands):
    """Exact tiers, vote, protection of small categories, RRF, band, pin,
    distinct best match."""
    # 1. Candidates with a vector, by cosine desc then id asc (tie_key).
    by_cosine = sorted((c for c in cands if c.cosine is not None), key=tie_key)
    # 2. Category shares: softmax weights exp((cos - best) / T) of the
    #    CATEGORY_VOTES nearest, summed per category, divided by their total.
    voters = by_cosine[:CATEGORY_VOTES]
    shares = {}
    if voters:
        best = voters[0].cosine
        total = 0.0
        for c in voters:
            v = math.exp((c.cosine - best) / CATEGORY_TEMPERATURE)
            total += v
            if c.category is not None:
                shares[c.category] = shares.get(c.category, 0.0) + v
        shares = {k: v / total for k, v in shares.items()}
    # 3. Semantic score and the semantic list (score desc, then tie_key).
    score = {c.product_id: c.cosine + CATEGORY_WEIGHT * (shares.get(c.category, 0.0)
                                                        if c.category is not None else 0.0)
             for c in by_cosine}
    by_sem = sorted(by_cosine, key=lambda c: (-score[c.product_id],) + tie_key(c))
    # 4. Protection: a candidate whose category has fewer than PROTECT_BELOW
    #    candidates with a vector in the window (or that has no category)
    #    is protected. Walk the places i = 0, 1, 2, ...: place i takes
    #    by_cosine[i] when it is protected and not placed yet, else the
    #    first candidate of by_sem not placed yet. A protected candidate
    #    ends no lower than its cosine rank; the others keep their order.
    by_sem = protected_semantic_list(by_cosine, by_sem)
    # 5. RRF: 1 / (RRF_K + semantic rank) + LEXICAL_WEIGHT / (RRF_K + lexical
    #    rank) (1-based ranks), sorted by exact tier (SKU, name, rest), then
    #    fused score desc, then tie_key.
    fused = {c.product_id: 0.0 for c in cands}
    for rank, c in enumerate(by_sem):
        fused[c.product_id] += 1.0 / (RRF_K + rank + 1.0)
    for c in cands:
        if c.lexical is not None:
            fused[c.product_id] += LEXICAL_WEIGHT / (RRF_K + c.lexical[0] + 1.0)
    ordered = sorted(cands, key=lambda c: (exact_tier(c), -fused[c.product_id]) + tie_key(c))
    # 6. Band: after DIVERSE_AFTER results, up to DIVERSE_SLOTS places go to
    #    the first candidate of each category not seen so far, in order.
    if DIVERSE_SLOTS and len(ordered) > DIVERSE_AFTER:
        seen = {c.category for c in ordered[:DIVERSE_AFTER] if c.category is not None}
        band = []
        for i in range(DIVERSE_AFTER, len(ordered)):
            if len(band) == DIVERSE_SLOTS:
                break
            cat = ordered[i].category
            if cat is not None and cat not in seen:
                seen.add(cat)
                band.append(i)
        in_band = set(band)
        ordered = (ordered[:DIVERSE_AFTER] + [ordered[i] for i in band]
                   + [c for i, c in enumerate(ordered) if i >= DIVERSE_AFTER and i not in in_band])
    # 7. Pin: the best cosine, if it leads the second by >= PIN_MARGIN (or is
    #    the only one), moves up to place PIN_RANK, never above an exact SKU
    #    or name match.
    if by_cosine:
        best = by_cosine[0]
        if len(by_cosine) == 1 or best.cosine - by_cosine[1].cosine >= PIN_MARGIN:
            ordered = pin(ordered, best, PIN_RANK)
    # 8. Distinct best match: the best distinct score (ties by lower id), if
    #    it leads the second by >= DISTINCT_MARGIN (or is the only one),
    #    moves up to place 1, never above an exact SKU or name match.
    by_distinct = sorted((c for c in cands if c.distinct is not None),
                         key=lambda c: (-c.distinct, c.product_id))
    if by_distinct and (len(by_distinct) == 1
                        or by_distinct[0].distinct - by_distinct[1].distinct >= DISTINCT_MARGIN):
        ordered = pin(ordered, by_distinct[0], 1)
    return ordered
