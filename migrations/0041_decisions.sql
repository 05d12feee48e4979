-- Draft decisions (or draft reports) with their versions, the comments of both parties, the
-- authority's record that people criticised were shown the draft, final decisions and reviews.
CREATE TABLE draft_decisions (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  complaint_id uuid NOT NULL REFERENCES complaints (id) ON DELETE CASCADE,
  authority_id uuid NOT NULL REFERENCES authorities (id),
  form text NOT NULL CHECK (form IN ('decision', 'report')),
  version integer NOT NULL CHECK (version >= 1),
  complaint_text text NOT NULL,
  findings_text text NOT NULL,
  proposed_remedy_text text NOT NULL,
  decision_text text NOT NULL,
  remedies jsonb NOT NULL DEFAULT '[]',
  issued_by uuid REFERENCES users (id) ON DELETE SET NULL,
  issued_at timestamptz NOT NULL,
  issued_on date NOT NULL,
  comment_due_on date NOT NULL,
  comment_due_rule jsonb NOT NULL,
  complainant_token_hash text NOT NULL UNIQUE,
  superseded_at timestamptz,
  UNIQUE (complaint_id, version)
);
CREATE INDEX draft_decisions_authority_idx ON draft_decisions (authority_id, issued_at);

CREATE TABLE draft_decision_evidence (
  draft_id uuid NOT NULL REFERENCES draft_decisions (id) ON DELETE CASCADE,
  document_id uuid NOT NULL REFERENCES documents (id),
  position integer NOT NULL,
  PRIMARY KEY (draft_id, document_id)
);

CREATE TABLE draft_comments (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  draft_id uuid NOT NULL REFERENCES draft_decisions (id) ON DELETE CASCADE,
  complaint_id uuid NOT NULL REFERENCES complaints (id) ON DELETE CASCADE,
  authority_id uuid NOT NULL REFERENCES authorities (id),
  party text NOT NULL CHECK (party IN ('complainant', 'authority')),
  channel text NOT NULL CHECK (channel IN ('portal', 'complainant-link', 'email', 'staff', 'api')),
  no_comments boolean NOT NULL DEFAULT false,
  text text,
  received_at timestamptz NOT NULL,
  received_on date NOT NULL,
  late boolean NOT NULL,
  entered_by uuid REFERENCES users (id) ON DELETE SET NULL,
  CHECK (no_comments OR (text IS NOT NULL AND length(text) > 0))
);
CREATE INDEX draft_comments_draft_idx ON draft_comments (draft_id, received_at);
CREATE INDEX draft_comments_complaint_idx ON draft_comments (complaint_id);

CREATE TABLE draft_disclosures (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  draft_id uuid NOT NULL REFERENCES draft_decisions (id) ON DELETE CASCADE,
  complaint_id uuid NOT NULL REFERENCES complaints (id) ON DELETE CASCADE,
  authority_id uuid NOT NULL REFERENCES authorities (id),
  shown_to text NOT NULL,
  shown_on date NOT NULL,
  with_evidence boolean NOT NULL,
  recorded_by uuid REFERENCES users (id) ON DELETE SET NULL,
  recorded_at timestamptz NOT NULL
);
CREATE INDEX draft_disclosures_complaint_idx ON draft_disclosures (complaint_id);

CREATE TABLE final_decisions (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  complaint_id uuid NOT NULL UNIQUE REFERENCES complaints (id) ON DELETE CASCADE,
  authority_id uuid NOT NULL REFERENCES authorities (id),
  form text NOT NULL CHECK (form IN ('decision', 'report')),
  draft_id uuid REFERENCES draft_decisions (id),
  outcome text NOT NULL CHECK (outcome IN ('upheld-injustice', 'upheld-no-injustice', 'not-upheld',
    'remedied-by-authority', 'closed-after-initial-enquiries')),
  statement text NOT NULL,
  decided_by uuid REFERENCES users (id) ON DELETE SET NULL,
  decided_at timestamptz NOT NULL,
  decided_on date NOT NULL,
  review_due_on date NOT NULL,
  complainant_token_hash text NOT NULL UNIQUE
);
-- The monitoring officer's findings: an authority's decisions in a period.
CREATE INDEX final_decisions_authority_idx ON final_decisions (authority_id, decided_on);

CREATE TABLE decision_reviews (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  final_decision_id uuid NOT NULL REFERENCES final_decisions (id) ON DELETE CASCADE,
  complaint_id uuid NOT NULL REFERENCES complaints (id) ON DELETE CASCADE,
  authority_id uuid NOT NULL REFERENCES authorities (id),
  channel text NOT NULL CHECK (channel IN ('complainant-link', 'staff')),
  grounds text NOT NULL,
  requested_at timestamptz NOT NULL,
  requested_on date NOT NULL,
  entered_by uuid REFERENCES users (id) ON DELETE SET NULL,
  result text CHECK (result IN ('decision-stands', 'decision-changed')),
  new_outcome text CHECK (new_outcome IN ('upheld-injustice', 'upheld-no-injustice', 'not-upheld',
    'remedied-by-authority', 'closed-after-initial-enquiries')),
  result_reason text,
  decided_by uuid REFERENCES users (id) ON DELETE SET NULL,
  decided_at timestamptz
);
-- One review per decision that is waiting or decided.
CREATE UNIQUE INDEX decision_reviews_one_idx ON decision_reviews (final_decision_id);
