-- Login sessions of the frontend. In Postgres rather than in the cookie or
-- in memory: replicas behind a load balancer share them, and logging out
-- revokes a session everywhere at once.
--
-- The cookie holds a random 256-bit token; only its SHA-256 is stored, so
-- a copy of this table cannot be replayed as cookies.
CREATE TABLE IF NOT EXISTS frontend_sessions (
    token_sha256 bytea PRIMARY KEY,
    username     text NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    expires_at   timestamptz NOT NULL
);

-- Expired sessions are deleted at every login.
CREATE INDEX IF NOT EXISTS frontend_sessions_expires_at_idx ON frontend_sessions (expires_at);
