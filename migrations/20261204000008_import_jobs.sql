-- Bulk catalog upload (docs/bulk-upload.md): a browser puts a CSV file into
-- S3 with a presigned URL, then an import job reads it from there into
-- `products`. One row per job; its progress is a checkpoint committed after
-- the products it covers, so a job that is interrupted (a killed worker, a
-- deployment) continues from the last chunk. A chunk written again after a
-- crash between the two changes nothing: the upsert by SKU of identical rows
-- writes no new version and no outbox event.

CREATE TABLE IF NOT EXISTS import_jobs (
    id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    -- Who uploaded the file (a FRONTEND_USERS name, or 'api-key'). Only
    -- they may read the job; the object key carries the same owner.
    owner            text NOT NULL,
    -- The uploaded object. One job per object: creating it twice is
    -- answered with the job that exists.
    object_key       text NOT NULL UNIQUE,
    -- The name the browser gave the file, shown to its owner only.
    file_name        text NOT NULL,
    size_bytes       bigint NOT NULL CHECK (size_bytes >= 0),
    state            text NOT NULL DEFAULT 'queued'
                     CHECK (state IN ('queued', 'running', 'done', 'failed')),
    -- Why a failed job failed, in words for the person who uploaded it.
    error            text,
    -- Set once the whole file was checked (UTF-8, not binary, header):
    -- the object version checked, the header's column names (a resumed job
    -- reads from an offset, past the header) and the number of data rows.
    object_etag      text,
    header           text[],
    rows_total       bigint,
    -- The checkpoint: where the next unread record starts (byte offset and
    -- line number), and the counts up to there.
    next_byte        bigint NOT NULL DEFAULT 0,
    next_line        bigint NOT NULL DEFAULT 1,
    rows_read        bigint NOT NULL DEFAULT 0,
    rows_imported    bigint NOT NULL DEFAULT 0,
    rows_skipped     bigint NOT NULL DEFAULT 0,
    -- Line a run last resumed at (null: never resumed).
    resumed_at_line  bigint,
    -- Distinct products the job wrote, and how many of them the vector
    -- index has caught up with (see import_job_products).
    index_total      bigint NOT NULL DEFAULT 0,
    index_done       bigint NOT NULL DEFAULT 0,
    attempts         integer NOT NULL DEFAULT 0,
    -- The worker running the job and until when its claim holds. It renews
    -- the lease while it works; a worker that vanished loses it, and another
    -- takes the job over. Every chunk commits only while the lease is its.
    lease_owner      uuid,
    lease_expires_at timestamptz,
    created_at       timestamptz NOT NULL DEFAULT now(),
    started_at       timestamptz,
    finished_at      timestamptz,
    updated_at       timestamptz NOT NULL DEFAULT now()
);

-- Claiming: the oldest job that is queued or whose lease ran out.
CREATE INDEX IF NOT EXISTS import_jobs_open_idx
    ON import_jobs (created_at) WHERE state IN ('queued', 'running');
-- "My jobs" and "recent jobs" lists.
CREATE INDEX IF NOT EXISTS import_jobs_owner_idx ON import_jobs (owner, created_at DESC);
CREATE INDEX IF NOT EXISTS import_jobs_created_idx ON import_jobs (created_at DESC);
-- The index-progress tracker's work list.
CREATE INDEX IF NOT EXISTS import_jobs_indexing_idx
    ON import_jobs (created_at) WHERE index_done < index_total;

-- The first skipped lines of a job, with why (the job counts all of them).
CREATE TABLE IF NOT EXISTS import_job_rejects (
    job_id  uuid NOT NULL REFERENCES import_jobs (id) ON DELETE CASCADE,
    line    bigint NOT NULL,
    reason  text NOT NULL,
    PRIMARY KEY (job_id, line)
);

-- Products a job wrote that have not yet been seen in the vector index at
-- their row's current version. Rows leave as the index catches up
-- (import_jobs.index_done counts them), so the table holds only what is
-- still pending.
CREATE TABLE IF NOT EXISTS import_job_products (
    job_id      uuid NOT NULL REFERENCES import_jobs (id) ON DELETE CASCADE,
    product_id  bigint NOT NULL,
    PRIMARY KEY (job_id, product_id)
);

-- The import worker runs inside the frontend: its role needs these tables,
-- and it inserts products (editing only ever updated them). The outbox rows
-- for those products are written by the capture trigger with its owner's
-- rights (20261204000007_service_roles.sql), so no outbox grant is needed.
DO $$
BEGIN
    IF EXISTS (SELECT FROM pg_roles WHERE rolname = 'catalog_frontend') THEN
        GRANT SELECT, INSERT, UPDATE, DELETE
            ON import_jobs, import_job_rejects, import_job_products TO catalog_frontend;
        GRANT SELECT, INSERT, UPDATE ON products TO catalog_frontend;
    END IF;
END $$;
