-- Link officers: at most two per authority, held in numbered places (slots) so the database itself
-- refuses a third, however many requests arrive at once. Nothing about a previous link officer is
-- kept: their row is deleted, and with it their absence cover records.

CREATE TABLE link_officers (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  authority_id uuid NOT NULL REFERENCES authorities (id),
  slot smallint NOT NULL CHECK (slot IN (1, 2)),
  title text NOT NULL,
  forename text NOT NULL,
  surname text NOT NULL,
  job_title text NOT NULL,
  email text NOT NULL,
  correspondence_email text,
  phone text NOT NULL CHECK (phone ~ '^\+44[0-9]{9,10}$'),
  user_id uuid REFERENCES users (id) ON DELETE SET NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT link_officers_authority_slot_key UNIQUE (authority_id, slot)
);
CREATE INDEX link_officers_user_idx ON link_officers (user_id) WHERE user_id IS NOT NULL;

-- Someone who receives a link officer's correspondence while they are away: a delegate (a portal
-- account of the same authority) or the other link officer. Dates are London calendar dates, inclusive.
CREATE TABLE link_officer_covers (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  authority_id uuid NOT NULL REFERENCES authorities (id),
  link_officer_id uuid NOT NULL REFERENCES link_officers (id) ON DELETE CASCADE,
  starts_on date NOT NULL,
  ends_on date NOT NULL,
  cover_user_id uuid REFERENCES users (id) ON DELETE CASCADE,
  cover_officer_id uuid REFERENCES link_officers (id) ON DELETE CASCADE,
  created_at timestamptz NOT NULL DEFAULT now(),
  CHECK (ends_on >= starts_on),
  CHECK ((cover_user_id IS NULL) <> (cover_officer_id IS NULL)),
  CHECK (cover_officer_id IS NULL OR cover_officer_id <> link_officer_id)
);
CREATE INDEX link_officer_covers_authority_idx ON link_officer_covers (authority_id, starts_on, ends_on);

-- A request to change an authority's link officers. Held only until it is decided: an approved or
-- rejected request is deleted (the audit log keeps that it happened).
CREATE TABLE link_officer_change_requests (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  authority_id uuid NOT NULL REFERENCES authorities (id),
  -- The place whose officer is replaced; null to add an officer.
  replaces_slot smallint CHECK (replaces_slot IN (1, 2)),
  title text NOT NULL,
  forename text NOT NULL,
  surname text NOT NULL,
  job_title text NOT NULL,
  email text NOT NULL,
  correspondence_email text,
  phone text NOT NULL,
  requester_name text NOT NULL,
  requester_email text NOT NULL,
  requester_user_id uuid REFERENCES users (id) ON DELETE SET NULL,
  status text NOT NULL CHECK (status IN ('awaiting-confirmation', 'pending')),
  confirmation_token_hash text UNIQUE,
  confirmation_expires_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  confirmed_at timestamptz
);
CREATE INDEX link_officer_change_requests_queue_idx ON link_officer_change_requests (status, created_at);
CREATE INDEX link_officer_change_requests_authority_idx ON link_officer_change_requests (authority_id);

-- The Ombudsman Link newsletter goes to every current link officer by virtue of the role: a view
-- over the officers themselves, never a copied list, so a replaced officer drops out at once.
CREATE VIEW newsletter_role_subscribers AS
  SELECT lo.id AS link_officer_id, lo.authority_id, lo.email, lo.forename, lo.surname
  FROM link_officers lo
  JOIN authorities a ON a.id = lo.authority_id
  WHERE a.active;
