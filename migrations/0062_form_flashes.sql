-- What a form sent back with errors carries to the next page (the messages, what was typed, a
-- notice), kept here for one request: the browser holds only a random key (its SHA-256 is stored).
-- The row is deleted when the next page reads it, and by a sweep once it has expired (5 minutes),
-- so the personal data typed into a form is never kept longer. `json`, not `jsonb`: the text is
-- kept as written, so no value a form can carry is refused here.
CREATE TABLE form_flashes (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  key_hash text NOT NULL UNIQUE,
  payload json NOT NULL,
  created_at timestamptz NOT NULL,
  expires_at timestamptz NOT NULL
);

-- The sweep deletes expired rows without reading the whole table.
CREATE INDEX form_flashes_expires_at_idx ON form_flashes (expires_at);
