-- The authority's home page reads each panel by authority, soonest due first.
CREATE INDEX draft_decisions_current_idx ON draft_decisions (authority_id, comment_due_on)
  WHERE superseded_at IS NULL;
CREATE INDEX public_report_steps_authority_open_idx ON public_report_steps (authority_id, due_on)
  WHERE completed_on IS NULL;
CREATE INDEX enquiry_delegations_open_idx ON enquiry_delegations (authority_id, internal_due_on)
  WHERE completed_at IS NULL AND ended_at IS NULL;

-- The weekly email to link officers of what falls due. A person with no row gets it; stopping it
-- (from the email's link or from "Your account") sets stopped_at, turning it back on clears it.
CREATE TABLE home_digest_settings (
  user_id uuid PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
  stopped_at timestamptz,
  updated_at timestamptz NOT NULL
);

-- One row per person and week (the Monday, London): the unique key is what keeps a second run,
-- or a second worker, from sending the same week twice. The stop link's token is kept as its
-- SHA-256 only.
CREATE TABLE home_digests (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  authority_id uuid NOT NULL REFERENCES authorities (id) ON DELETE CASCADE,
  week_of date NOT NULL,
  items integer NOT NULL,
  stop_token_hash text NOT NULL UNIQUE,
  sent_at timestamptz NOT NULL,
  CONSTRAINT home_digests_once UNIQUE (user_id, week_of)
);
CREATE INDEX home_digests_authority_id_fk_idx ON home_digests (authority_id);
