-- One database role per service, with only the privileges its own SQL
-- needs, so that a compromised frontend (the internet-facing one) can read
-- and edit products but cannot touch the outbox, the vectors or the ledger,
-- and pelican can relay the outbox but not change products. The roles are
-- NOLOGIN here: `catalogctl deploy-prepare` gives each a password from its
-- own secret (the AWS stack); the local stack and the tests keep using the
-- owner role. Privileges, by what each service's code runs:
--
--   catalog_pelican   outbox: claim (SELECT) and delete; outbox_parked: park
--   catalog_emu       product_vectors (pgvector store), vector_ledger
--                     (Pinecone store), and for `catalogctl verify`: read
--                     products and call the two repair functions
--   catalog_frontend  products: read and edit; outbox and outbox_parked:
--                     read (sync status); product_vectors: read (search,
--                     "indexed"); frontend_sessions
--
-- Roles are cluster-wide, while this migration runs once per database (and
-- concurrently, in the test suite): creating one that another run just
-- created is not an error.
DO $$
DECLARE
    role_name text;
BEGIN
    FOREACH role_name IN ARRAY ARRAY['catalog_pelican', 'catalog_emu', 'catalog_frontend'] LOOP
        IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = role_name) THEN
            BEGIN
                EXECUTE format('CREATE ROLE %I NOLOGIN', role_name);
            EXCEPTION WHEN duplicate_object OR unique_violation THEN
                NULL;
            END;
        END IF;
        EXECUTE format('GRANT CONNECT ON DATABASE %I TO %I', current_database(), role_name);
        EXECUTE format('GRANT USAGE ON SCHEMA public TO %I', role_name);
    END LOOP;
END;
$$;

GRANT SELECT, DELETE ON outbox TO catalog_pelican;
GRANT INSERT ON outbox_parked TO catalog_pelican;

GRANT SELECT, INSERT, UPDATE, DELETE ON product_vectors TO catalog_emu;
GRANT SELECT, INSERT, UPDATE ON vector_ledger TO catalog_emu;
GRANT SELECT ON products TO catalog_emu;

GRANT SELECT, UPDATE ON products TO catalog_frontend;
GRANT SELECT ON outbox, outbox_parked, product_vectors TO catalog_frontend;
GRANT SELECT, INSERT, DELETE ON frontend_sessions TO catalog_frontend;

-- Writing the outbox is the triggers' job, not the editor's: they run with
-- the owner's rights, so an edit by catalog_frontend still writes its event
-- (in the same transaction) without the role being able to forge one. A
-- fixed search_path keeps a definer-rights function from resolving names
-- in a schema its caller controls.
ALTER FUNCTION products_write_outbox() SECURITY DEFINER SET search_path = public, pg_temp;
ALTER FUNCTION products_truncate_outbox() SECURITY DEFINER SET search_path = public, pg_temp;
ALTER FUNCTION outbox_notify() SECURITY DEFINER SET search_path = public, pg_temp;

-- The repair paths of `catalogctl verify --repair` (which runs as
-- catalog_emu on AWS): they bump product versions and write delete events,
-- which the role may not do directly.
ALTER FUNCTION reconcile_reembed(bigint[]) SECURITY DEFINER SET search_path = public, pg_temp;
ALTER FUNCTION reconcile_delete(bigint[], bigint[]) SECURITY DEFINER SET search_path = public, pg_temp;
REVOKE EXECUTE ON FUNCTION reconcile_reembed(bigint[]) FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION reconcile_delete(bigint[], bigint[]) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION reconcile_reembed(bigint[]) TO catalog_emu;
GRANT EXECUTE ON FUNCTION reconcile_delete(bigint[], bigint[]) TO catalog_emu;
