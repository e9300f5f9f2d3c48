"""The lexical list of a query, as `frontend/src/search/lexical.rs` asks
Postgres for it: exact SKU, exact name, then full-text matches of every
query word (`websearch_to_tsquery('english', q)` against name (A),
category (B) and description (D)) by `ts_rank_cd`, ties by id; at most 200.

Answers are cached in .local/lab/fulltext.json (keyed by a hash of the
catalog and the normalised query), so only a first run needs a Postgres:
psql is called with the usual PG* variables, e.g. a scratch server

    initdb -D /tmp/labpg/data -A trust -U postgres
    pg_ctl -D /tmp/labpg/data -o "-c listen_addresses='' -c unix_socket_directories=/tmp/labpg -p 55439" start
    PGHOST=/tmp/labpg PGPORT=55439 PGUSER=postgres python eval/lab/items.py

Nothing is written to a database that already exists: the products go into
a temporary table of one psql session.
"""
import csv
import hashlib
import io
import json
import os
import subprocess

from lab import ROOT

CACHE = os.path.join(ROOT, ".local/lab/fulltext.json")
LIMIT = 200
SEARCH_TEXT = ("(setweight(to_tsvector('english'::regconfig, p.name), 'A') "
               "|| setweight(to_tsvector('english'::regconfig, coalesce(p.category, '')), 'B') "
               "|| setweight(to_tsvector('english'::regconfig, p.description), 'D'))")


def normalise(q):
    """query_cache::normalise: lowercase, whitespace collapsed."""
    return " ".join(w.lower() for w in q.split())


def _fingerprint(products):
    h = hashlib.sha256()
    for p in products:
        h.update("\x1f".join((p["sku"], p["name"], p["category"], p["description"])).encode())
        h.update(b"\x1e")
    return h.hexdigest()[:16]


def _run_psql(products, keys):
    rows = io.StringIO()
    w = csv.writer(rows, lineterminator="\n")
    for i, p in enumerate(products):
        w.writerow([i, p["sku"], p["name"], p["category"], p["description"]])
    qrows = io.StringIO()
    w = csv.writer(qrows, lineterminator="\n")
    for i, k in enumerate(keys):
        w.writerow([i, k])
    sql = f"""
\\set ON_ERROR_STOP 1
CREATE TEMP TABLE products (id bigint, sku text, name text, category text, description text);
CREATE TEMP TABLE queries (qid int, key text);
COPY products FROM STDIN WITH (FORMAT csv);
{rows.getvalue()}\\.
COPY queries FROM STDIN WITH (FORMAT csv);
{qrows.getvalue()}\\.
COPY (
  SELECT q.qid, m.id, m.sku_exact, m.name_exact
  FROM queries q CROSS JOIN LATERAL (
    SELECT p.id, lower(p.sku) = q.key AS sku_exact, lower(p.name) = q.key AS name_exact,
           ts_rank_cd({SEARCH_TEXT}, t) AS rank
    FROM products p, websearch_to_tsquery('english'::regconfig, q.key) AS t
    WHERE lower(p.sku) = q.key OR lower(p.name) = q.key OR {SEARCH_TEXT} @@ t
    ORDER BY sku_exact DESC, name_exact DESC, rank DESC, p.id
    LIMIT {LIMIT}) m
  ORDER BY q.qid, m.sku_exact DESC, m.name_exact DESC, m.rank DESC, m.id
) TO STDOUT WITH (FORMAT csv);
"""
    out = subprocess.run(["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d",
                          os.environ.get("PGDATABASE", "postgres")],
                         input=sql, capture_output=True, text=True)
    if out.returncode != 0:
        raise SystemExit("fulltext: psql failed (set PG* for a scratch Postgres, see "
                         "eval/lab/fulltext.py):\n" + out.stderr[-2000:])
    lists = {k: [] for k in keys}
    for qid, pid, sku, name in csv.reader(io.StringIO(out.stdout)):
        kind = "sku" if sku == "t" else "name" if name == "t" else "words"
        lists[keys[int(qid)]].append((int(pid), kind))
    return lists


def lexical_lists(products, queries):
    """For each query (raw text): [(product index, 'sku'|'name'|'words')]
    best first, as lexical::matches returns them."""
    cache = json.load(open(CACHE)) if os.path.exists(CACHE) else {}
    fp = _fingerprint(products)
    keys = [normalise(q) for q in queries]
    missing = sorted({k for k in keys if f"{fp}|{k}" not in cache})
    if missing:
        got = _run_psql(products, missing)
        for k in missing:
            cache[f"{fp}|{k}"] = got[k]
        os.makedirs(os.path.dirname(CACHE), exist_ok=True)
        json.dump(cache, open(CACHE + ".tmp", "w"))
        os.replace(CACHE + ".tmp", CACHE)
    return [[tuple(m) for m in cache[f"{fp}|{k}"]] for k in keys]
