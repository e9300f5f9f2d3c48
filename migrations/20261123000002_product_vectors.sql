-- The pgvector store: one row per product that emu has ever indexed.
--
-- Why tombstones instead of DELETE: a deleted product keeps its row
-- (deleted = true, no vector, version = the delete's version), so a late,
-- older upsert for it finds a newer version and changes nothing. Without the
-- row, that upsert would insert the vector again and resurrect the product.
-- Product ids are never reused (identity column), so a tombstone is final.

-- Needs a superuser (or an already-installed extension): the local stack
-- creates it in template1 and the catalog database as superuser, so this is
-- a no-op there; on RDS the master user may create it.
CREATE EXTENSION IF NOT EXISTS vector;

CREATE TABLE IF NOT EXISTS product_vectors (
    product_id bigint PRIMARY KEY,
    -- The row version the vector (or the tombstone) belongs to. Every write
    -- is conditional on being newer than this, so writes may arrive late,
    -- twice or out of order without leaving a stale vector behind.
    version    bigint NOT NULL,
    -- all-MiniLM-L6-v2, L2-normalised. NULL exactly for tombstones.
    embedding  vector(384),
    -- Copied from the row so that a search can filter and show results
    -- without joining products. NULL for tombstones.
    sku        text,
    name       text,
    category   text,
    price      numeric(12, 2),
    deleted    boolean NOT NULL DEFAULT false,
    -- When this row was last written (freshness, tombstone clean-up).
    updated_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT product_vectors_tombstone_has_no_vector CHECK (deleted = (embedding IS NULL)),
    CONSTRAINT product_vectors_live_has_metadata CHECK (deleted OR (sku IS NOT NULL AND name IS NOT NULL))
);

-- Approximate nearest neighbours by cosine distance (`<=>`). Tombstones have
-- no vector and so are not in the index.
CREATE INDEX IF NOT EXISTS product_vectors_embedding_idx
    ON product_vectors USING hnsw (embedding vector_cosine_ops);

-- Lets the planner answer a selective category filter exactly (scan the
-- category, sort by distance) instead of walking the HNSW graph past many
-- non-matching neighbours.
CREATE INDEX IF NOT EXISTS product_vectors_category_idx
    ON product_vectors (category) WHERE NOT deleted;
