-- Indexes of the lexical side of search (shared::search::lexical), which
-- runs beside the vector query:
-- * exact lookups: a query equal to a product's SKU or name (compared
--   lowercased) must find it at once, whatever its vector says;
-- * full text: products containing every word of the query, ranked with
--   the name weighing more than the category and the description.
-- The expressions must stay identical to the ones in
-- shared/src/search/lexical.rs, or the planner cannot use the indexes.

CREATE INDEX IF NOT EXISTS products_lower_sku_idx ON products (lower(sku));
CREATE INDEX IF NOT EXISTS products_lower_name_idx ON products (lower(name));

CREATE INDEX IF NOT EXISTS products_search_text_idx ON products USING gin ((
    setweight(to_tsvector('english'::regconfig, name), 'A')
    || setweight(to_tsvector('english'::regconfig, coalesce(category, '')), 'B')
    || setweight(to_tsvector('english'::regconfig, description), 'D')
));
