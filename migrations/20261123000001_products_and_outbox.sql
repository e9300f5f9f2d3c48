-- Products, and the transactional outbox that makes every committed change
-- of a product reach the vector index.
--
-- Why an outbox and not NOTIFY payloads: a notification is lost when nobody
-- listens (pelican down) and is limited to 8000 bytes. An outbox row is
-- written in the same transaction as the change, so it exists if and only if
-- the change committed; pelican deletes it only after SQS accepted it.

CREATE TABLE IF NOT EXISTS products (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    sku         text NOT NULL UNIQUE CHECK (length(btrim(sku)) > 0),
    name        text NOT NULL,
    description text NOT NULL DEFAULT '',
    price       numeric(12, 2) CHECK (price >= 0),
    category    text,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    -- Bumped by trigger on every meaningful change; strictly increasing per
    -- row. Events and vectors carry it so that an older change can never
    -- overwrite a newer one.
    version     bigint NOT NULL DEFAULT 1
);

CREATE INDEX IF NOT EXISTS products_created_at_idx ON products (created_at DESC, id DESC);
CREATE INDEX IF NOT EXISTS products_category_idx ON products (category);

CREATE TABLE IF NOT EXISTS outbox (
    -- Claim order. Not commit order across products (ids are handed out
    -- before commit), which is why pelican claims and deletes instead of
    -- following an "id > last seen" cursor. Within one product the row lock
    -- serialises writers, so ids are in commit (and version) order.
    seq         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    -- The SQS deduplication id. A UUID rather than seq so that a restored or
    -- recreated database can never collide with ids SQS still remembers.
    event_id    uuid NOT NULL DEFAULT gen_random_uuid() UNIQUE,
    op          text NOT NULL CHECK (op IN ('upsert', 'delete')),
    product_id  bigint NOT NULL,
    version     bigint NOT NULL,
    sku         text,
    name        text,
    description text,
    category    text,
    price       numeric(12, 2),
    truncated   boolean NOT NULL DEFAULT false,
    created_at  timestamptz NOT NULL DEFAULT clock_timestamp()
);

-- Events SQS refused permanently (a sender fault that no retry can fix).
-- Parked, never dropped: an operator can inspect and re-enqueue them.
CREATE TABLE IF NOT EXISTS outbox_parked (
    LIKE outbox INCLUDING DEFAULTS,
    error       text NOT NULL,
    parked_at   timestamptz NOT NULL DEFAULT now()
);

-- BEFORE trigger: own the version and timestamps so no client can forge them.
CREATE OR REPLACE FUNCTION products_set_version() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        NEW.version := 1;
        RETURN NEW;
    END IF;
    NEW.created_at := OLD.created_at;
    IF (NEW.sku, NEW.name, NEW.description, NEW.category, NEW.price)
       IS NOT DISTINCT FROM (OLD.sku, OLD.name, OLD.description, OLD.category, OLD.price) THEN
        -- Nothing embedded or indexed changed: no new version, no event.
        NEW.version := OLD.version;
        NEW.updated_at := OLD.updated_at;
    ELSE
        NEW.version := OLD.version + 1;
        -- Keep an explicitly supplied timestamp (CSV import's last_updated).
        IF NEW.updated_at IS NOT DISTINCT FROM OLD.updated_at THEN
            NEW.updated_at := now();
        END IF;
    END IF;
    RETURN NEW;
END;
$$;

-- AFTER row trigger: one outbox event per meaningful change, same transaction.
CREATE OR REPLACE FUNCTION products_write_outbox() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    -- Caps in characters; documented in docs/change-event.md and mirrored by
    -- shared::change_event::MAX_*_CHARS.
    c_sku  constant int := 100;
    c_name constant int := 500;
    c_cat  constant int := 100;
    c_desc constant int := 8000;
BEGIN
    IF TG_OP = 'DELETE' THEN
        INSERT INTO outbox (op, product_id, version)
        VALUES ('delete', OLD.id, OLD.version + 1);
        RETURN NULL;
    END IF;
    IF TG_OP = 'UPDATE' AND NEW.version = OLD.version THEN
        RETURN NULL;
    END IF;
    INSERT INTO outbox (op, product_id, version, sku, name, description, category, price, truncated)
    VALUES (
        'upsert', NEW.id, NEW.version,
        left(NEW.sku, c_sku), left(NEW.name, c_name), left(NEW.description, c_desc),
        left(NEW.category, c_cat), NEW.price,
        length(NEW.sku) > c_sku OR length(NEW.name) > c_name
            OR length(NEW.description) > c_desc OR coalesce(length(NEW.category), 0) > c_cat
    );
    RETURN NULL;
END;
$$;

-- AFTER statement trigger on products: one wake-up per statement, not per
-- row (a 10 000-row import sends one notification). Delivered on commit.
CREATE OR REPLACE FUNCTION outbox_notify() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('outbox_wakeup', '');
    RETURN NULL;
END;
$$;

DROP TRIGGER IF EXISTS products_set_version ON products;
CREATE TRIGGER products_set_version
    BEFORE INSERT OR UPDATE ON products
    FOR EACH ROW EXECUTE FUNCTION products_set_version();

DROP TRIGGER IF EXISTS products_write_outbox ON products;
CREATE TRIGGER products_write_outbox
    AFTER INSERT OR UPDATE OR DELETE ON products
    FOR EACH ROW EXECUTE FUNCTION products_write_outbox();

DROP TRIGGER IF EXISTS products_notify ON products;
CREATE TRIGGER products_notify
    AFTER INSERT OR UPDATE OR DELETE ON products
    FOR EACH STATEMENT EXECUTE FUNCTION outbox_notify();

-- TRUNCATE skips row triggers; without this it would orphan every vector.
CREATE OR REPLACE FUNCTION products_truncate_outbox() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO outbox (op, product_id, version)
    SELECT 'delete', id, version + 1 FROM products ORDER BY id;
    PERFORM pg_notify('outbox_wakeup', '');
    RETURN NULL;
END;
$$;

DROP TRIGGER IF EXISTS products_truncate_outbox ON products;
CREATE TRIGGER products_truncate_outbox
    BEFORE TRUNCATE ON products
    FOR EACH STATEMENT EXECUTE FUNCTION products_truncate_outbox();
