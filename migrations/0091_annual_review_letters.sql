-- Annual review letters: one Markdown template per year (edited by the relationship lead), a letter
-- per authority made from it, runs of generation and sending with their progress, and each letter's
-- recipients. A letter is sent in its own transaction with one outbox message per recipient under an
-- idempotency key, so a run that stops half way resumes without sending anything twice.

CREATE TABLE annual_review_templates (
  year smallint PRIMARY KEY CHECK (year BETWEEN 2000 AND 2100),
  body text NOT NULL,
  updated_by uuid REFERENCES users (id) ON DELETE SET NULL,
  updated_at timestamptz NOT NULL
);

CREATE TABLE annual_review_runs (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  year smallint NOT NULL,
  kind text NOT NULL CHECK (kind IN ('generate', 'send')),
  -- The authorities chosen; null for every authority with figures (generation) or every letter (sending).
  authority_ids uuid[],
  total integer NOT NULL,
  done integer NOT NULL DEFAULT 0,
  -- Sending again letters already sent, confirmed by the relationship lead.
  resend boolean NOT NULL DEFAULT false,
  -- Authorities skipped, with the reason (no chief executive): [{ authorityId, name, reason }].
  skipped jsonb NOT NULL DEFAULT '[]'::jsonb,
  created_by uuid REFERENCES users (id) ON DELETE SET NULL,
  created_at timestamptz NOT NULL,
  finished_at timestamptz
);
CREATE INDEX annual_review_runs_year_idx ON annual_review_runs (year, created_at DESC);

CREATE TABLE annual_review_letters (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  year smallint NOT NULL,
  authority_id uuid NOT NULL REFERENCES authorities (id) ON DELETE CASCADE,
  body text NOT NULL,
  generated_at timestamptz NOT NULL,
  edited_by uuid REFERENCES users (id) ON DELETE SET NULL,
  edited_at timestamptz,
  -- How many times it has been sent (a confirmed resend adds one), and when last.
  sends integer NOT NULL DEFAULT 0,
  sent_at timestamptz,
  last_send_run_id uuid REFERENCES annual_review_runs (id) ON DELETE SET NULL,
  UNIQUE (year, authority_id)
);
CREATE INDEX annual_review_letters_authority_idx ON annual_review_letters (authority_id, year DESC);

-- Who each sending went to: the chief executive, and in copy the link officers, the monitoring
-- officer, the leader and the chair of scrutiny. The address is kept (until erasure) to show where it went.
CREATE TABLE annual_review_recipients (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  letter_id uuid NOT NULL REFERENCES annual_review_letters (id) ON DELETE CASCADE,
  authority_id uuid NOT NULL REFERENCES authorities (id) ON DELETE CASCADE,
  send_number integer NOT NULL,
  role text NOT NULL CHECK (role IN ('chief-executive', 'link-officer', 'monitoring-officer', 'leader', 'scrutiny-chair')),
  copy boolean NOT NULL,
  name text NOT NULL,
  email text NOT NULL,
  outbox_message_id uuid REFERENCES outbox_messages (id) ON DELETE SET NULL,
  created_at timestamptz NOT NULL,
  UNIQUE (letter_id, send_number, email)
);
CREATE INDEX annual_review_recipients_letter_idx ON annual_review_recipients (letter_id, send_number);
