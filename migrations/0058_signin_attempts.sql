-- Sign-in attempts per client address (kept only as a keyed hash), counted in one row per address
-- so that an attempt is reserved atomically before its password is checked: an upsert that adds
-- one unless the address has reached the limit within its window. A failure keeps its attempt; a
-- success gives it back. The rows of the old table (one per failure) are only a few minutes'
-- throttling and are not carried over.
DROP TABLE signin_failures;
CREATE TABLE signin_failures (
  ip_hash text PRIMARY KEY,
  attempts integer NOT NULL CHECK (attempts >= 0),
  window_started_at timestamptz NOT NULL
);
