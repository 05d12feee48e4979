-- Unreasonable behaviour: warnings and contact restrictions on a person (see 0083), their reviews,
-- the decision letters and the contacts received from a restricted person.
CREATE TABLE conduct_records (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  person_id uuid NOT NULL REFERENCES people (id),
  kind text NOT NULL CHECK (kind IN ('warning', 'restriction')),
  -- A warning: the behaviour, with dates and examples. A restriction: why it is needed.
  reason text NOT NULL,
  -- The channels the person may use; empty: any.
  channels text[] NOT NULL DEFAULT '{}'
    CHECK (channels <@ ARRAY['post', 'email', 'phone', 'portal']::text[]),
  named_officer_id uuid REFERENCES users (id),
  call_times text,
  max_call_minutes integer CHECK (max_call_minutes > 0),
  written_only boolean NOT NULL DEFAULT false,
  weekly_contact_cap integer CHECK (weekly_contact_cap > 0),
  -- "No reply to further contact about a settled matter": the settled case.
  settled_complaint_id uuid REFERENCES complaints (id) ON DELETE SET NULL,
  staff_safety_risk boolean NOT NULL DEFAULT false,
  -- Why no warning came first (staff safety at risk).
  no_warning_reason text,
  starts_on date NOT NULL,
  -- Warnings and restrictions alike are reviewed (and lifted when no longer needed).
  review_on date NOT NULL,
  status text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'lifted')),
  lifted_at timestamptz,
  -- The review reminder sent for the current review date.
  reminded_at timestamptz,
  recorded_by uuid REFERENCES users (id),
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL
);
CREATE INDEX conduct_records_person ON conduct_records (person_id, created_at);
-- One restriction in force a person.
CREATE UNIQUE INDEX conduct_records_one_active ON conduct_records (person_id)
  WHERE kind = 'restriction' AND status = 'active';
CREATE INDEX conduct_records_review ON conduct_records (review_on) WHERE status = 'active';

CREATE TABLE conduct_reviews (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  record_id uuid NOT NULL REFERENCES conduct_records (id),
  outcome text NOT NULL CHECK (outcome IN ('extend', 'vary', 'lift')),
  reason text NOT NULL,
  previous_review_on date NOT NULL,
  review_on date,
  -- The terms before a variation, as shown then.
  terms_before text,
  reviewed_by uuid REFERENCES users (id),
  reviewed_at timestamptz NOT NULL
);
CREATE INDEX conduct_reviews_record ON conduct_reviews (record_id, reviewed_at);

-- A decision letter: sent once (by email through a case's correspondence, or printed for post) and
-- recorded on every open case of the person.
CREATE TABLE conduct_letters (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  record_id uuid NOT NULL REFERENCES conduct_records (id),
  review_id uuid REFERENCES conduct_reviews (id),
  subject text NOT NULL,
  body text NOT NULL,
  -- The correspondence item that carried it by email; null: for post.
  item_id uuid REFERENCES correspondence_items (id) ON DELETE SET NULL,
  created_at timestamptz NOT NULL
);
CREATE INDEX conduct_letters_record ON conduct_letters (record_id, created_at);

CREATE TABLE conduct_letter_cases (
  letter_id uuid NOT NULL REFERENCES conduct_letters (id),
  complaint_id uuid NOT NULL REFERENCES complaints (id) ON DELETE CASCADE,
  PRIMARY KEY (letter_id, complaint_id)
);
CREATE INDEX conduct_letter_cases_complaint ON conduct_letter_cases (complaint_id);

-- What a restricted person sent, filed where it belongs, with what it breached. Never a reason to
-- refuse or drop it.
CREATE TABLE conduct_contacts (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  person_id uuid NOT NULL REFERENCES people (id),
  record_id uuid NOT NULL REFERENCES conduct_records (id),
  complaint_id uuid REFERENCES complaints (id) ON DELETE CASCADE,
  channel text NOT NULL CHECK (channel IN ('post', 'email', 'phone', 'portal')),
  -- The correspondence item it was filed as (email).
  item_id uuid REFERENCES correspondence_items (id) ON DELETE SET NULL,
  flags text[] NOT NULL DEFAULT '{}',
  received_at timestamptz NOT NULL
);
CREATE INDEX conduct_contacts_person ON conduct_contacts (person_id, received_at);
CREATE INDEX conduct_contacts_complaint ON conduct_contacts (complaint_id, received_at);
