-- Remedies: the recommendations a decision makes to an authority. Proposed with a draft (kept with
-- that draft's version), agreed with a due date when the final decision finds fault, proven by the
-- authority's evidence of compliance, which a team coordinator accepts or returns with reasons.
-- Past its due date without accepted evidence a remedy is late; reminders and the escalation to a
-- casework manager are recorded once per remedy, kind and due date, so each goes out once.

CREATE TABLE remedies (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  complaint_id uuid NOT NULL REFERENCES complaints (id) ON DELETE CASCADE,
  authority_id uuid NOT NULL REFERENCES authorities (id) ON DELETE RESTRICT,
  -- The draft (decision or report) that proposed it, and that draft's version.
  draft_id uuid NOT NULL,
  draft_version integer NOT NULL CHECK (draft_version >= 1),
  position integer NOT NULL CHECK (position >= 1),
  type text NOT NULL CHECK (type IN ('apology', 'financial', 'other-action', 'service-improvement')),
  description text NOT NULL,
  amount_pence bigint CHECK (amount_pence IS NULL OR amount_pence > 0),
  -- As proposed: a number of working days from the final decision, or a date.
  proposed_working_days integer CHECK (proposed_working_days IS NULL OR proposed_working_days BETWEEN 1 AND 260),
  proposed_due_on date,
  -- proposed → agreed (fault found) or withdrawn (no fault) or superseded (a later draft);
  -- agreed → complied (evidence accepted) or not-satisfied (a casework manager's outcome).
  status text NOT NULL DEFAULT 'proposed'
    CHECK (status IN ('proposed', 'superseded', 'withdrawn', 'agreed', 'complied', 'not-satisfied')),
  proposed_at timestamptz NOT NULL,
  agreed_at timestamptz,
  -- The current due date with the rule that produced it; the first agreed date is kept.
  due_on date,
  due_rule jsonb,
  agreed_due_on date,
  complied_at timestamptz,
  -- The London date the accepted evidence arrived, and whether that was by the due date.
  complied_on date,
  complied_on_time boolean,
  escalated_at timestamptz,
  closed_at timestamptz,
  linked_complaint_id uuid REFERENCES complaints (id) ON DELETE SET NULL,
  UNIQUE (draft_id, position),
  CHECK (type <> 'financial' OR amount_pence IS NOT NULL),
  CHECK ((status IN ('agreed', 'complied', 'not-satisfied')) = (due_on IS NOT NULL AND agreed_at IS NOT NULL)),
  CHECK ((status = 'complied') = (complied_at IS NOT NULL AND complied_on IS NOT NULL AND complied_on_time IS NOT NULL))
);
CREATE INDEX remedies_complaint_idx ON remedies (complaint_id, draft_version, position);
-- The rates: an authority's remedies falling due, or complied with, in a period.
CREATE INDEX remedies_authority_due_idx ON remedies (authority_id, due_on)
  INCLUDE (status, complied_on_time) WHERE status IN ('agreed', 'complied', 'not-satisfied');
CREATE INDEX remedies_authority_complied_idx ON remedies (authority_id, complied_on)
  INCLUDE (due_on, complied_on_time) WHERE status = 'complied';
-- The sweep and the staff lists of late and escalated remedies.
CREATE INDEX remedies_open_due_idx ON remedies (due_on, id) WHERE status = 'agreed';
CREATE INDEX remedies_escalated_idx ON remedies (escalated_at, id) WHERE status = 'agreed' AND escalated_at IS NOT NULL;

-- Evidence of compliance from the authority, and the team coordinator's review of it.
CREATE TABLE remedy_evidence (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  remedy_id uuid NOT NULL REFERENCES remedies (id) ON DELETE CASCADE,
  complaint_id uuid NOT NULL REFERENCES complaints (id) ON DELETE CASCADE,
  authority_id uuid NOT NULL REFERENCES authorities (id) ON DELETE RESTRICT,
  description text NOT NULL,
  document_id uuid REFERENCES documents (id) ON DELETE SET NULL,
  submitted_by uuid REFERENCES users (id) ON DELETE SET NULL,
  submitted_by_token uuid,
  submitted_at timestamptz NOT NULL,
  submitted_on date NOT NULL,
  -- Whether it arrived after the remedy's due date at the time.
  late boolean NOT NULL,
  status text NOT NULL DEFAULT 'submitted' CHECK (status IN ('submitted', 'accepted', 'returned')),
  reviewed_by uuid REFERENCES users (id) ON DELETE SET NULL,
  reviewed_at timestamptz,
  review_reason text,
  CHECK ((status = 'submitted') = (reviewed_at IS NULL)),
  CHECK (status <> 'returned' OR review_reason IS NOT NULL)
);
CREATE INDEX remedy_evidence_remedy_idx ON remedy_evidence (remedy_id, submitted_at);
-- One piece of evidence waits for review at a time.
CREATE UNIQUE INDEX remedy_evidence_waiting_key ON remedy_evidence (remedy_id) WHERE status = 'submitted';
CREATE INDEX remedy_evidence_waiting_idx ON remedy_evidence (submitted_at, id) WHERE status = 'submitted';

-- What a casework manager did about a remedy not complied with.
CREATE TABLE remedy_actions (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  remedy_id uuid NOT NULL REFERENCES remedies (id) ON DELETE CASCADE,
  complaint_id uuid NOT NULL REFERENCES complaints (id) ON DELETE CASCADE,
  authority_id uuid NOT NULL REFERENCES authorities (id) ON DELETE RESTRICT,
  action text NOT NULL CHECK (action IN (
    'wrote-to-chief-executive', 'more-time', 'case-conference', 'consider-public-report', 'not-satisfied')),
  note text NOT NULL,
  previous_due_on date,
  new_due_on date,
  linked_complaint_id uuid REFERENCES complaints (id) ON DELETE SET NULL,
  taken_by uuid REFERENCES users (id) ON DELETE SET NULL,
  taken_at timestamptz NOT NULL,
  CHECK ((action = 'more-time') = (new_due_on IS NOT NULL))
);
CREATE INDEX remedy_actions_remedy_idx ON remedy_actions (remedy_id, taken_at);

-- Reminders and the escalation: one per remedy, kind and due date. The sweep inserts here and writes
-- the correspondence in the same statement; a second worker's insert finds the row and sends nothing.
CREATE TABLE remedy_reminders (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  remedy_id uuid NOT NULL REFERENCES remedies (id) ON DELETE CASCADE,
  authority_id uuid NOT NULL REFERENCES authorities (id) ON DELETE RESTRICT,
  kind text NOT NULL CHECK (kind IN ('before-due', 'overdue', 'escalated-manager')),
  due_on date NOT NULL,
  sent_at timestamptz NOT NULL,
  CONSTRAINT remedy_reminders_once UNIQUE (remedy_id, kind, due_on)
);
