-- Repair paths for `catalogctl verify --repair`: re-enqueue products through
-- the outbox, so that the normal pipeline (pelican → SQS → emu) heals the
-- index. Nothing here writes a vector.
--
-- Why a version bump rather than an outbox row with the current version:
-- the pgvector store ignores a write whose version is not newer than the
-- stored one, so re-sending version N would not replace a wrong vector that
-- already claims version N (a drifted vector). Bumping the version makes the
-- ordinary AFTER trigger write an upsert event that every store applies, and
-- keeps "events of one product carry increasing versions" true.

-- A second BEFORE trigger, named to fire after products_set_version
-- (same-event triggers fire in name order): when the transaction asked for a
-- re-embed, it turns the no-op update into a new version. The setting is
-- transaction-local and only reconcile_reembed() sets it, so ordinary
-- updates behave exactly as before (guarantee 5).
CREATE OR REPLACE FUNCTION products_reembed_bump() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF current_setting('catalog.reembed', true) = 'on' THEN
        NEW.version := OLD.version + 1;
    END IF;
    RETURN NEW;
END;
$$;

DROP TRIGGER IF EXISTS products_set_version_reembed ON products;
CREATE TRIGGER products_set_version_reembed
    BEFORE UPDATE ON products
    FOR EACH ROW EXECUTE FUNCTION products_reembed_bump();

-- Missing, stale or drifted products: a new version of the current row, and
-- with it an upsert event written by products_write_outbox (same caps, same
-- transaction) and a wake-up for pelican. Returns how many rows were found
-- (ids deleted meanwhile are skipped: their delete event is on its way).
CREATE OR REPLACE FUNCTION reconcile_reembed(product_ids bigint[]) RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
    touched bigint;
BEGIN
    PERFORM set_config('catalog.reembed', 'on', true);
    UPDATE products SET version = version WHERE id = ANY(product_ids);
    GET DIAGNOSTICS touched = ROW_COUNT;
    PERFORM set_config('catalog.reembed', 'off', true);
    RETURN touched;
END;
$$;

-- Orphans: vectors whose product no longer exists. A delete event like the
-- DELETE trigger's, with the stored vector's version + 1 so that it wins
-- over that vector in a version-guarded store. Ids that have a row are
-- skipped, so a mistaken call can never delete a live product's vector.
CREATE OR REPLACE FUNCTION reconcile_delete(product_ids bigint[], vector_versions bigint[])
RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
    written bigint;
BEGIN
    INSERT INTO outbox (op, product_id, version)
    SELECT 'delete', o.id, o.version + 1
    FROM unnest(product_ids, vector_versions) AS o(id, version)
    WHERE NOT EXISTS (SELECT 1 FROM products p WHERE p.id = o.id)
    ORDER BY o.id;
    GET DIAGNOSTICS written = ROW_COUNT;
    PERFORM pg_notify('outbox_wakeup', '');
    RETURN written;
END;
$$;
