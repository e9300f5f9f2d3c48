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
  3. Known items (known_items.csv, `query,expected_sku`): >= 60 queries, no
     duplicates, every expected_sku is a product of products.csv, every
     category of products.csv has at least one, and no query contains its
     product's full name (lowercased, whitespace collapsed).
  4. Needles (needles.csv, `sku,name,description,price,category,query`):
     >= 20 products, every field filled, prices numeric, SKUs and names
     unique and not in products.csv, each needle's category used by no
     other needle and by no product of products.csv -- nor of the generated
     sample catalog when one is given with --generated (its CSV, from
     `catalogctl generate --rows 10000`).

Usage:  python3 check_overlap.py [products.csv] [queries.csv]
                                 [--known-items FILE] [--needles FILE]
                                 [--generated FILE]
Exit status 0 when everything passes, 1 otherwise (violations are listed).
"""
import argparse
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
MIN_KNOWN_ITEMS = 60
MIN_NEEDLES = 20
KNOWN_ITEMS_HEADER = ["query", "expected_sku"]
NEEDLES_HEADER = ["sku", "name", "description", "price", "category", "query"]

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


def squash(text):
    return " ".join(text.lower().split())


def check_known_items(items, products, errors):
    """Item-level queries: each names one product of products.csv."""
    by_sku = {p["sku"]: p for p in products}
    if len(items) < MIN_KNOWN_ITEMS:
        errors.append("known items: only %d queries (need >= %d)" % (len(items), MIN_KNOWN_ITEMS))
    dup = [q for q, n in Counter(squash(i["query"]) for i in items).items() if n > 1]
    if dup:
        errors.append("known items: duplicate queries: %s" % "; ".join(dup))
    covered = set()
    for i in items:
        query, sku = i["query"].strip(), i["expected_sku"].strip()
        if not query:
            errors.append("known items: empty query for %r" % sku)
        product = by_sku.get(sku)
        if product is None:
            errors.append("known items: %r expects unknown SKU %r" % (query, sku))
            continue
        covered.add(product["category"])
        if squash(product["name"]) in squash(query):
            errors.append("known items: %r contains the product's full name %r"
                          % (query, product["name"]))
    missing = sorted({p["category"] for p in products} - covered)
    if missing:
        errors.append("known items: no query for categories %s" % ", ".join(missing))


def check_needles(needles, products, generated, errors):
    """Needles: products in a category of their own."""
    if len(needles) < MIN_NEEDLES:
        errors.append("needles: only %d products (need >= %d)" % (len(needles), MIN_NEEDLES))
    for n in needles:
        if not all((n[k] or "").strip() for k in NEEDLES_HEADER):
            errors.append("needles: empty field in %r" % n["sku"])
        if not re.fullmatch(r"\d+\.\d\d", n["price"] or ""):
            errors.append("needles: bad price %r for %s" % (n["price"], n["sku"]))
    for field in ("sku", "name", "category"):
        dup = [v for v, k in Counter(n[field] for n in needles).items() if k > 1]
        if dup:
            errors.append("needles: %s used more than once: %s" % (field, ", ".join(dup)))
    others = [("products.csv", products)]
    if generated is not None:
        others.append(("the generated catalog", generated))
    for label, rows in others:
        skus = {p["sku"] for p in rows}
        names = {squash(p["name"]) for p in rows}
        cats = {squash(p["category"]) for p in rows}
        for n in needles:
            if n["sku"] in skus:
                errors.append("needles: SKU %r is also in %s" % (n["sku"], label))
            if squash(n["name"]) in names:
                errors.append("needles: name %r is also in %s" % (n["name"], label))
            if squash(n["category"]) in cats:
                errors.append("needles: category %r of %s is also used in %s"
                              % (n["category"], n["sku"], label))


def main(argv):
    parser = argparse.ArgumentParser(description="Validate the evaluation set.")
    parser.add_argument("products", nargs="?", default=os.path.join(HERE, "products.csv"))
    parser.add_argument("queries", nargs="?", default=os.path.join(HERE, "queries.csv"))
    parser.add_argument("--known-items", default=os.path.join(HERE, "known_items.csv"))
    parser.add_argument("--needles", default=os.path.join(HERE, "needles.csv"))
    parser.add_argument("--generated", default=None,
                        help="CSV of the generated sample catalog (catalogctl generate)")
    args = parser.parse_args(argv[1:])
    products_path, queries_path = args.products, args.queries
    errors = []

    products, err = load_csv(products_path,
                             ["sku", "name", "description", "price", "category"])
    if err:
        errors.append(err)
    queries, err = load_csv(queries_path, ["query", "expected_category"])
    if err:
        errors.append(err)
    known_items, err = load_csv(args.known_items, KNOWN_ITEMS_HEADER)
    if err:
        errors.append(err)
    needles, err = load_csv(args.needles, NEEDLES_HEADER)
    if err:
        errors.append(err)
    generated = None
    if args.generated:
        generated, err = load_csv(args.generated,
                                  ["sku", "name", "description", "price", "category"])
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

    # ---- item-level files ------------------------------------------------
    check_known_items(known_items, products, errors)
    check_needles(needles, products, generated, errors)

    # ---- report ------------------------------------------------------------
    print("products:   %d" % len(products))
    print("categories: %d" % len(categories))
    print("queries:    %d (min per category: %d)"
          % (len(queries), min(per_cat[c] for c in categories) if categories else 0))
    print("queries with shared words: %d" % overlaps)
    print("known items: %d queries over %d categories"
          % (len(known_items), len({p["category"] for p in products
                                    if p["sku"] in {i["expected_sku"] for i in known_items}})))
    print("needles:    %d (categories checked against products.csv%s)"
          % (len(needles), " and the generated catalog" if generated is not None else ""))
    if errors:
        print("\nFAILED with %d problem(s):" % len(errors))
        for e in errors:
            print("  - " + e)
        return 1
    print("\nOK: all checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
