-- The outbox is written once per statement, from the statement's transition
-- tables, instead of once per row.
--
-- Why: the row trigger ran a PL/pgSQL function (SECURITY DEFINER with its
-- own search_path, so a configuration save and restore per call) and one
-- single-row INSERT per changed product. On a bulk import that was a
-- quarter of the time spent in Postgres (docs/bulk-upload.md). A statement
-- trigger writes the same rows with one set-based INSERT.
--
-- Nothing else changes: the events are written in the same transaction, at
-- the end of the same statement (where AFTER row triggers fired too), with
-- the same caps, in id order; an UPDATE that changed nothing meaningful
-- (products_set_version kept the version) writes no event; a DELETE writes
-- version + 1. A product's row lock is held until commit, so the events of
-- one product still enter the outbox in version order. An
-- INSERT ... ON CONFLICT DO UPDATE fires both the INSERT and the UPDATE
-- trigger, each with the rows it inserted or updated.

DROP TRIGGER IF EXISTS products_write_outbox ON products;
DROP FUNCTION IF EXISTS products_write_outbox();

CREATE OR REPLACE FUNCTION products_write_outbox_rows() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    -- The changed rows: every inserted one; of an UPDATE only those whose
    -- version moved. The transition tables are named by the triggers below.
    changed constant text := CASE TG_OP
        WHEN 'UPDATE' THEN 'new_rows n JOIN old_rows o ON o.id = n.id AND n.version <> o.version'
        ELSE 'new_rows n'
    END;
BEGIN
    IF TG_OP = 'DELETE' THEN
        INSERT INTO outbox (op, product_id, version)
        SELECT 'delete', o.id, o.version + 1 FROM old_rows o ORDER BY o.id;
        RETURN NULL;
    END IF;
    -- Caps in characters; documented in docs/change-event.md and mirrored
    -- by sync_core::change_event::MAX_*_CHARS.
    EXECUTE format(
        'INSERT INTO outbox (op, product_id, version, sku, name, description, category, price, truncated)
         SELECT ''upsert'', n.id, n.version,
                left(n.sku, 100), left(n.name, 500), left(n.description, 8000),
                left(n.category, 100), n.price,
                length(n.sku) > 100 OR length(n.name) > 500
                    OR length(n.description) > 8000 OR coalesce(length(n.category), 0) > 100
           FROM %s
          ORDER BY n.id',
        changed);
    RETURN NULL;
END;
$$;

DROP TRIGGER IF EXISTS products_outbox_insert ON products;
CREATE TRIGGER products_outbox_insert
    AFTER INSERT ON products
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION products_write_outbox_rows();

DROP TRIGGER IF EXISTS products_outbox_update ON products;
CREATE TRIGGER products_outbox_update
    AFTER UPDATE ON products
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION products_write_outbox_rows();

DROP TRIGGER IF EXISTS products_outbox_delete ON products;
CREATE TRIGGER products_outbox_delete
    AFTER DELETE ON products
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION products_write_outbox_rows();
