"""BM25 over Postgres' english lexemes (name, category, description as one
field with the name weighted), for the lab's hybrid variants.

Lexemes come from `to_tsvector('english', ...)` of a scratch psql session
(PG* variables as for fulltext.py; nothing is written to a database) and are
cached in .local/lab/lexemes-*.json.
"""
import csv
import hashlib
import io
import json
import math
import os
import subprocess

import numpy as np

from lab import ROOT

CACHE = os.path.join(ROOT, ".local/lab")


def _psql(sql):
    out = subprocess.run(["psql", "-X", "-q", "-A", "-t", "-F", "\t", "-v", "ON_ERROR_STOP=1", "-d",
                          os.environ.get("PGDATABASE", "postgres")], input=sql,
                         capture_output=True, text=True)
    if out.returncode != 0:
        raise SystemExit("bm25: psql failed (set PG* as for fulltext.py):\n" + out.stderr[-2000:])
    return out.stdout


def _cached(kind, payload, compute):
    key = hashlib.sha256(json.dumps(payload).encode()).hexdigest()[:16]
    path = os.path.join(CACHE, f"lexemes-{kind}-{key}.json")
    if not os.path.exists(path):
        os.makedirs(CACHE, exist_ok=True)
        json.dump(compute(), open(path, "w"))
    return json.load(open(path))


def doc_lexemes(products):
    """Per product: {"n"|"c"|"d": {lexeme: count}} (name, category, description)."""
    def compute():
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\n")
        for i, p in enumerate(products):
            w.writerow([i, p["name"], p["category"], p["description"]])
        sql = ("CREATE TEMP TABLE t (i int, n text, c text, d text);\n"
               f"COPY t FROM STDIN WITH (FORMAT csv);\n{buf.getvalue()}\\.\n"
               "SELECT i, f, (x).lexeme, coalesce(array_length((x).positions, 1), 1) FROM ("
               " SELECT i, 'n' f, unnest(to_tsvector('english', n)) x FROM t UNION ALL"
               " SELECT i, 'c', unnest(to_tsvector('english', coalesce(c, ''))) FROM t UNION ALL"
               " SELECT i, 'd', unnest(to_tsvector('english', d)) FROM t) s;\n")
        out = [{"n": {}, "c": {}, "d": {}} for _ in products]
        for line in _psql(sql).splitlines():
            i, f, lexeme, tf = line.split("\t")
            out[int(i)][f][lexeme] = int(tf)
        return out
    return _cached("docs", [[p["name"], p["category"], p["description"]] for p in products], compute)


def query_lexemes(queries):
    def compute():
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\n")
        for i, q in enumerate(queries):
            w.writerow([i, q])
        sql = ("CREATE TEMP TABLE t (i int, q text);\n"
               f"COPY t FROM STDIN WITH (FORMAT csv);\n{buf.getvalue()}\\.\n"
               "SELECT i, (x).lexeme FROM (SELECT i, unnest(to_tsvector('english', q)) x FROM t) s;\n")
        out = [[] for _ in queries]
        for line in _psql(sql).splitlines():
            i, lexeme = line.split("\t")
            out[int(i)].append(lexeme)
        return out
    return _cached("queries", queries, compute)


class Index:
    """Okapi BM25 (k1, b) with field weights folded into the term counts."""

    def __init__(self, products, name_weight=3.0, k1=1.2, b=0.75):
        self.n = len(products)
        self.k1, self.b = k1, b
        self.postings, self.df = {}, {}
        lengths = []
        for i, f in enumerate(doc_lexemes(products)):
            tf = {}
            for field, weight in (("n", name_weight), ("c", 1.0), ("d", 1.0)):
                for lexeme, count in f[field].items():
                    tf[lexeme] = tf.get(lexeme, 0) + weight * count
            lengths.append(sum(tf.values()))
            for lexeme, count in tf.items():
                self.postings.setdefault(lexeme, []).append((i, count))
                self.df[lexeme] = self.df.get(lexeme, 0) + 1
        self.lengths = np.array(lengths)
        self.avg = self.lengths.mean()

    def scores(self, lexemes):
        s = np.zeros(self.n)
        for lexeme in set(lexemes):
            df = self.df.get(lexeme, 0)
            if not df:
                continue
            idf = math.log(1 + (self.n - df + 0.5) / (df + 0.5))
            for i, tf in self.postings[lexeme]:
                norm = 1 - self.b + self.b * self.lengths[i] / self.avg
                s[i] += idf * tf * (self.k1 + 1) / (tf + self.k1 * norm)
        return s
