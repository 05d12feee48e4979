-- Phone calls with a person (see 0083), logged by staff; under a restriction each call is also a
-- contact (conduct_contacts) with what it breached. And the authority told of a named contact.
CREATE TABLE conduct_calls (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  person_id uuid NOT NULL REFERENCES people (id),
  complaint_id uuid REFERENCES complaints (id) ON DELETE CASCADE,
  -- When the call began (as entered: a London date and time).
  called_at timestamptz NOT NULL,
  minutes integer NOT NULL CHECK (minutes > 0 AND minutes <= 600),
  -- Who took the call.
  officer_id uuid NOT NULL REFERENCES users (id),
  note text NOT NULL DEFAULT '',
  logged_by uuid REFERENCES users (id),
  created_at timestamptz NOT NULL
);
CREATE INDEX conduct_calls_person ON conduct_calls (person_id, called_at);
CREATE INDEX conduct_calls_complaint ON conduct_calls (complaint_id, called_at);

ALTER TABLE conduct_contacts ADD COLUMN call_id uuid REFERENCES conduct_calls (id) ON DELETE CASCADE;

-- The ombudsman decided the authority must be told that contact goes through the named officer.
ALTER TABLE conduct_records ADD COLUMN tell_authority boolean NOT NULL DEFAULT false;
