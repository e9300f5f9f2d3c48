-- Full-text search reads a derived index written by emu, like the vector
-- index, instead of a GIN expression index on `products`.
--
-- Why: the expression index computed three `to_tsvector`s and inserted some
-- thirty GIN entries inside every write to `products`. On a bulk import
-- that was 70 % of the time Postgres spent per row (docs/bulk-upload.md),
-- and a shop's editors and importers paid it on every save. The documents
-- are now computed when emu indexes a change: full-text matches appear
-- when the product's vector does (seconds later, in the same emu step), and
-- the write to `products` keeps only its B-tree indexes. Exact SKU and name
-- lookups still read `products` itself (products_lower_sku_idx,
-- products_lower_name_idx), so they see a row the moment it is committed.
--
-- One row per product ever indexed. Every write is conditional on the
-- version, as for product_vectors: a replayed or late older change is a
-- no-op, and a delete leaves a row with a NULL document (a tombstone) so
-- that an older upsert still in flight cannot bring the product back.

-- The weighted text full-text search matches: the name counts most, then
-- the category, then the description. Used by emu's writes and the
-- backfill below, so there is one definition.
CREATE OR REPLACE FUNCTION product_search_document(name text, category text, description text)
RETURNS tsvector
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT setweight(to_tsvector('english'::regconfig, name), 'A')
        || setweight(to_tsvector('english'::regconfig, coalesce(category, '')), 'B')
        || setweight(to_tsvector('english'::regconfig, description), 'D')
$$;

CREATE TABLE IF NOT EXISTS product_search_documents (
    product_id bigint PRIMARY KEY,
    version    bigint NOT NULL,
    -- NULL once the product is deleted (as of `version`).
    document   tsvector,
    updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX IF NOT EXISTS product_search_documents_document_idx
    ON product_search_documents USING gin (document);

-- A database that already has products keeps full-text search through the
-- upgrade: their documents are written here, at their current versions.
INSERT INTO product_search_documents (product_id, version, document)
SELECT id, version, product_search_document(name, category, description)
  FROM products
ON CONFLICT (product_id) DO NOTHING;

DROP INDEX IF EXISTS products_search_text_idx;

GRANT SELECT, INSERT, UPDATE ON product_search_documents TO catalog_emu;
GRANT SELECT ON product_search_documents TO catalog_frontend;
