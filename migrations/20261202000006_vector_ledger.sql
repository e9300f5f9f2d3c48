-- The version of every product last written to a Pinecone index, so that
-- emu's Pinecone writes can be conditional the way pgvector's are.
--
-- Why: a Pinecone upsert or delete is unconditional, so an older write that
-- arrives after a newer one (two emu instances holding two changes of one
-- product at once, a redelivery, a retry after a lost lease) would replace
-- the newer vector, and nothing would ever repair it. emu locks the
-- products' ledger rows (in product order, so two writers cannot deadlock),
-- drops every change that is not newer than the ledger, writes the rest to
-- Pinecone while still holding the locks, and records them in the same
-- transaction. A failed write rolls the transaction back and records
-- nothing; a write that Pinecone applied but the commit lost leaves the
-- ledger behind, never ahead, and the retry of the same change rewrites it.
--
-- `target` is the index host and namespace, so pointing emu at another
-- index starts from an empty ledger there. If an index is wiped out of
-- band, `catalogctl verify --repair` re-enqueues the products with new
-- versions, which the ledger accepts.
CREATE TABLE IF NOT EXISTS vector_ledger (
    target     text   NOT NULL,
    product_id bigint NOT NULL,
    -- The version of the last write; 0 while the first write is in flight.
    version    bigint NOT NULL,
    -- The last write was a delete: an older upsert must not resurrect it.
    deleted    boolean NOT NULL DEFAULT false,
    written_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (target, product_id)
);
