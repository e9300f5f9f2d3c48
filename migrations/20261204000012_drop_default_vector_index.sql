-- no-transaction
-- The index built with pgvector's defaults, replaced by
-- product_vectors_embedding_hnsw_idx (previous migration). Dropped only
-- now, so that searches had an index throughout.
DROP INDEX CONCURRENTLY IF EXISTS product_vectors_embedding_idx;
