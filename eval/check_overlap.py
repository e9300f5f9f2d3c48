#!/usr/bin/env python3
"""Validate the search-quality evaluation set (stdlib only).

Checks
  1. No shared words: every content word of a query (lowercased, split on
     non-letters, stop-words and words of <= 2 letters dropped) must not occur
     in the name or description of ANY product of the query's
     expected_category -- neither literally nor as a simple stem
     (trailing s/es/ed/ing/er stripped up to twice, ies->y, plus a trailing
     "e" and a doubled final consonant, so "boxes"~"box", "packed"~"pack", "making"~"make",
     "running"~"run").
  2. Counts and integrity: >= 150 products, >= 15 categories, >= 60 queries,
     every category has >= 3 queries, every query's expected_category exists,
     SKUs unique, names unique, required headers present, prices numeric.

Usage:  python3 check_overlap.py [products.csv] [queries.csv]
Exit status 0 when everything passes, 1 otherwise (violations are listed).
"""
import csv
import os
import re
import sys
from collections import Counter, defaultdict

HERE = os.path.dirname(os.path.abspath(__file__))

MIN_PRODUCTS = 150
MIN_CATEGORIES = 15
MIN_QUERIES = 60
MIN_QUERIES_PER_CATEGORY = 3

# Function words only (articles, pronouns, auxiliaries, prepositions,
# quantifiers, contraction fragments). Everything else counts.
STOP_WORDS = set("""
a an the and or but nor so yet if then than as because while
i me my mine myself we us our ours ourselves you your yours yourself yourselves
he him his himself she her hers herself it its itself they them their theirs
themselves one ones someone something anything everything
this that these those who whom whose which what when where why how
am is are was were be been being have has had having do does did doing done
will would shall should can could may might must
to of in on at by for with from into onto about as per via
won don doesn didn isn aren wasn weren hasn haven hadn couldn wouldn shouldn
cannot
just very really also too not
after before under over off out up down around each every all any some
""".split())

SUFFIXES = ("ing", "es", "ed", "er", "s")


def words(text):
    """Content words of a text: lowercase, split on non-letters, drop
    stop-words and words of <= 2 letters."""
    return {w for w in re.split(r"[^a-z]+", text.lower())
            if len(w) > 2 and w not in STOP_WORDS}


def stems(word):
    """A small set of crude stems for a word (the word itself included).
    Suffixes are stripped up to twice ("sleepers" -> "sleeper" -> "sleep"),
    "ies" is also mapped to "y" ("puppies" -> "puppy")."""
    out = {word}
    if word.endswith("ies") and len(word) > 4:
        out.add(word[:-3] + "y")
    frontier = {word}
    for _ in range(2):
        nxt = set()
        for w in frontier:
            for suf in SUFFIXES:
                if w.endswith(suf) and len(w) - len(suf) >= 3:
                    nxt.add(w[: -len(suf)])
        out |= nxt
        frontier = nxt
    more = set()
    for s in out:
        if s.endswith("e") and len(s) > 3:
            more.add(s[:-1])                       # make / making -> mak
        if len(s) > 3 and s[-1] == s[-2] and s[-1] not in "aeiou":
            more.add(s[:-1])                       # running -> runn -> run
    return out | more


def load_csv(path, header):
    with open(path, newline="", encoding="utf-8") as f:
        reader = csv.DictReader(f)
        if reader.fieldnames != header:
            return None, "%s: header is %r, expected %r" % (
                os.path.basename(path), reader.fieldnames, header)
        return list(reader), None


def main(argv):
    products_path = argv[1] if len(argv) > 1 else os.path.join(HERE, "products.csv")
    queries_path = argv[2] if len(argv) > 2 else os.path.join(HERE, "queries.csv")
    errors = []

    products, err = load_csv(products_path,
                             ["sku", "name", "description", "price", "category"])
    if err:
        errors.append(err)
    queries, err = load_csv(queries_path, ["query", "expected_category"])
    if err:
        errors.append(err)
    if errors:
        print("\n".join("ERROR: " + e for e in errors))
        return 1

    # ---- integrity and counts -------------------------------------------
    categories = Counter(p["category"] for p in products)
    for field in ("sku", "name"):
        dup = [v for v, n in Counter(p[field] for p in products).items() if n > 1]
        if dup:
            errors.append("duplicate %s values: %s" % (field, ", ".join(dup)))
    for p in products:
        if not all(p[k].strip() for k in ("sku", "name", "description", "price", "category")):
            errors.append("empty field in product %r" % p["sku"])
        if not re.fullmatch(r"\d+\.\d\d", p["price"]):
            errors.append("bad price %r for %s" % (p["price"], p["sku"]))
    if len(products) < MIN_PRODUCTS:
        errors.append("only %d products (need >= %d)" % (len(products), MIN_PRODUCTS))
    if len(categories) < MIN_CATEGORIES:
        errors.append("only %d categories (need >= %d)" % (len(categories), MIN_CATEGORIES))
    if len(queries) < MIN_QUERIES:
        errors.append("only %d queries (need >= %d)" % (len(queries), MIN_QUERIES))
    dupq = [q for q, n in Counter(q["query"].strip().lower() for q in queries).items() if n > 1]
    if dupq:
        errors.append("duplicate queries: %s" % "; ".join(dupq))

    per_cat = Counter(q["expected_category"] for q in queries)
    for q in queries:
        if q["expected_category"] not in categories:
            errors.append("query %r: unknown category %r" % (q["query"], q["expected_category"]))
    for cat in sorted(categories):
        if per_cat[cat] < MIN_QUERIES_PER_CATEGORY:
            errors.append("category %r has %d queries (need >= %d)"
                          % (cat, per_cat[cat], MIN_QUERIES_PER_CATEGORY))

    # ---- no shared words --------------------------------------------------
    cat_words = defaultdict(set)
    for p in products:
        cat_words[p["category"]] |= words(p["name"] + " " + p["description"])
    cat_stems = {}
    for cat, ws in cat_words.items():
        index = defaultdict(set)
        for w in ws:
            for s in stems(w):
                index[s].add(w)
        cat_stems[cat] = index

    overlaps = 0
    for q in queries:
        cat = q["expected_category"]
        if cat not in cat_stems:
            continue
        hits = []
        for w in sorted(words(q["query"])):
            matched = set()
            for s in stems(w):
                matched |= cat_stems[cat].get(s, set())
            if matched:
                hits.append("%s~%s" % (w, "/".join(sorted(matched))))
        if hits:
            overlaps += 1
            errors.append("shared words [%s] %r: %s" % (cat, q["query"], ", ".join(hits)))

    # ---- report ------------------------------------------------------------
    print("products:   %d" % len(products))
    print("categories: %d" % len(categories))
    print("queries:    %d (min per category: %d)"
          % (len(queries), min(per_cat[c] for c in categories) if categories else 0))
    print("queries with shared words: %d" % overlaps)
    if errors:
        print("\nFAILED with %d problem(s):" % len(errors))
        for e in errors:
            print("  - " + e)
        return 1
    print("\nOK: all checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
