-- Enquiries: the ombudsman's written questions to an authority during an investigation. Each is
-- addressed to the chief executive and delivered to the link officers and the generic inbox; it has a
-- due date in working days, stored with the rule that produced it, and every change to that date is
-- kept. Reminders and escalations are recorded once per enquiry, kind and due date, so however many
-- workers sweep at once, each goes out once.

CREATE TABLE enquiries (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  complaint_id uuid NOT NULL REFERENCES complaints (id) ON DELETE CASCADE,
  authority_id uuid NOT NULL REFERENCES authorities (id) ON DELETE RESTRICT,
  kind text NOT NULL CHECK (kind IN ('enquiry', 'document-request')),
  -- 1, 2, ... within the complaint; the first carries the statement of complaint.
  number integer NOT NULL CHECK (number >= 1),
  statement_of_complaint text,
  documents_requested text,
  -- The addressee when sent (the chief executive), copied so the letter reads as it was sent.
  addressed_to_name text NOT NULL,
  addressed_to_job_title text,
  status text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'responded', 'closed')),
  sent_by uuid REFERENCES users (id) ON DELETE SET NULL,
  sent_at timestamptz NOT NULL,
  -- London date of sending, and the current due date with the rule that produced it.
  sent_on date NOT NULL,
  due_on date NOT NULL,
  due_working_days integer NOT NULL CHECK (due_working_days >= 0),
  due_rule jsonb NOT NULL,
  responded_at timestamptz,
  responded_by uuid REFERENCES users (id) ON DELETE SET NULL,
  responded_on_time boolean,
  closed_at timestamptz,
  closed_reason text,
  UNIQUE (complaint_id, number),
  CHECK ((status = 'responded') = (responded_at IS NOT NULL)),
  CHECK ((status = 'closed') = (closed_at IS NOT NULL))
);
-- The portal inbox (tenant key first), the sweep and the staff overdue list, a case's enquiries.
CREATE INDEX enquiries_authority_idx ON enquiries (authority_id, status, due_on, id);
CREATE INDEX enquiries_open_due_idx ON enquiries (due_on, id) WHERE status = 'open';
CREATE INDEX enquiries_complaint_idx ON enquiries (complaint_id, number);

CREATE TABLE enquiry_questions (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  enquiry_id uuid NOT NULL REFERENCES enquiries (id) ON DELETE CASCADE,
  authority_id uuid NOT NULL REFERENCES authorities (id) ON DELETE RESTRICT,
  position integer NOT NULL CHECK (position >= 1),
  text text NOT NULL,
  answer text,
  -- draft: saved, not yet ready; awaiting-review: a delegate's answer waiting for a link officer;
  -- ready: ready to go to the ombudsman (or gone, once the enquiry is responded).
  answer_state text NOT NULL DEFAULT 'none' CHECK (answer_state IN ('none', 'draft', 'awaiting-review', 'ready')),
  answered_by uuid REFERENCES users (id) ON DELETE SET NULL,
  answered_at timestamptz,
  UNIQUE (enquiry_id, position)
);
CREATE INDEX enquiry_questions_authority_idx ON enquiry_questions (authority_id, enquiry_id);

-- Documents given with an answer (the file is in documents, checked by content on upload).
CREATE TABLE enquiry_answer_documents (
  question_id uuid NOT NULL REFERENCES enquiry_questions (id) ON DELETE CASCADE,
  document_id uuid NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
  authority_id uuid NOT NULL REFERENCES authorities (id) ON DELETE RESTRICT,
  PRIMARY KEY (question_id, document_id)
);

-- The notification letter at allocation: the authority's chance to comment, recorded on the case.
CREATE TABLE allocation_notices (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  complaint_id uuid NOT NULL UNIQUE REFERENCES complaints (id) ON DELETE CASCADE,
  authority_id uuid NOT NULL REFERENCES authorities (id) ON DELETE RESTRICT,
  addressed_to_name text NOT NULL,
  sent_at timestamptz NOT NULL
);

-- Where an enquiry (or an allocation notice) went when sent. Work addresses of link officers are
-- still their personal data: link officer erasure scrubs the address, keeping the fact of delivery.
CREATE TABLE enquiry_recipients (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  enquiry_id uuid REFERENCES enquiries (id) ON DELETE CASCADE,
  notice_id uuid REFERENCES allocation_notices (id) ON DELETE CASCADE,
  authority_id uuid NOT NULL REFERENCES authorities (id) ON DELETE RESTRICT,
  position integer NOT NULL,
  email text NOT NULL,
  recipient_as text NOT NULL CHECK (recipient_as IN ('link-officer', 'cover', 'generic-inbox', 'chief-executive')),
  -- No foreign key: the officer's row goes on erasure, the id says which addresses to scrub.
  link_officer_id uuid,
  CHECK ((enquiry_id IS NULL) <> (notice_id IS NULL))
);
CREATE INDEX enquiry_recipients_enquiry_idx ON enquiry_recipients (enquiry_id, position) WHERE enquiry_id IS NOT NULL;
CREATE INDEX enquiry_recipients_notice_idx ON enquiry_recipients (notice_id, position) WHERE notice_id IS NOT NULL;
CREATE INDEX enquiry_recipients_officer_idx ON enquiry_recipients (link_officer_id) WHERE link_officer_id IS NOT NULL;

-- Every due date an enquiry has had, with the rule that produced it and why it changed.
CREATE TABLE enquiry_due_dates (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  enquiry_id uuid NOT NULL REFERENCES enquiries (id) ON DELETE CASCADE,
  authority_id uuid NOT NULL REFERENCES authorities (id) ON DELETE RESTRICT,
  due_on date NOT NULL,
  rule jsonb NOT NULL,
  reason text NOT NULL CHECK (reason IN ('sent', 'extension')),
  extension_request_id uuid,
  set_by uuid REFERENCES users (id) ON DELETE SET NULL,
  set_at timestamptz NOT NULL
);
CREATE INDEX enquiry_due_dates_enquiry_idx ON enquiry_due_dates (enquiry_id, set_at);

-- The authority's requests for more time, and the investigator's decision on each.
CREATE TABLE enquiry_extension_requests (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  enquiry_id uuid NOT NULL REFERENCES enquiries (id) ON DELETE CASCADE,
  authority_id uuid NOT NULL REFERENCES authorities (id) ON DELETE RESTRICT,
  reason text NOT NULL,
  requested_by uuid REFERENCES users (id) ON DELETE SET NULL,
  requested_by_token uuid,
  requested_at timestamptz NOT NULL,
  status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'granted', 'refused')),
  decided_by uuid REFERENCES users (id) ON DELETE SET NULL,
  decided_at timestamptz,
  decision_reason text,
  previous_due_on date NOT NULL,
  new_due_on date,
  CHECK ((status = 'pending') = (decided_at IS NULL))
);
CREATE INDEX enquiry_extension_requests_enquiry_idx ON enquiry_extension_requests (enquiry_id, requested_at);
-- At most one undecided request per enquiry.
CREATE UNIQUE INDEX enquiry_extension_requests_pending_key ON enquiry_extension_requests (enquiry_id)
  WHERE status = 'pending';

-- Reminders and escalations sent: one per enquiry, kind and due date. The sweep inserts here and
-- writes the emails in the same statement; a second worker's insert finds the row and sends nothing.
CREATE TABLE enquiry_reminders (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  enquiry_id uuid NOT NULL REFERENCES enquiries (id) ON DELETE CASCADE,
  authority_id uuid NOT NULL REFERENCES authorities (id) ON DELETE RESTRICT,
  kind text NOT NULL CHECK (kind IN ('before-due', 'due-today', 'overdue', 'escalated-chief-executive')),
  due_on date NOT NULL,
  sent_at timestamptz NOT NULL,
  CONSTRAINT enquiry_reminders_once UNIQUE (enquiry_id, kind, due_on)
);
CREATE INDEX enquiry_reminders_authority_idx ON enquiry_reminders (authority_id, sent_at DESC);

-- Work a link officer hands to a colleague (a delegate of the same authority): a whole enquiry
-- (question_id null) or one question, with an internal due date.
CREATE TABLE enquiry_delegations (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  enquiry_id uuid NOT NULL REFERENCES enquiries (id) ON DELETE CASCADE,
  question_id uuid REFERENCES enquiry_questions (id) ON DELETE CASCADE,
  authority_id uuid NOT NULL REFERENCES authorities (id) ON DELETE RESTRICT,
  delegate_user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  assigned_by uuid REFERENCES users (id) ON DELETE SET NULL,
  internal_due_on date NOT NULL,
  created_at timestamptz NOT NULL,
  completed_at timestamptz,
  completed_on_time boolean,
  CHECK ((completed_at IS NULL) = (completed_on_time IS NULL))
);
CREATE INDEX enquiry_delegations_delegate_idx ON enquiry_delegations (authority_id, delegate_user_id, completed_at);
CREATE INDEX enquiry_delegations_enquiry_idx ON enquiry_delegations (enquiry_id);

-- Each authority's choice: delegates' answers go straight in, or wait for a link officer's review.
CREATE TABLE authority_enquiry_settings (
  authority_id uuid PRIMARY KEY REFERENCES authorities (id) ON DELETE CASCADE,
  delegate_submission text NOT NULL DEFAULT 'review' CHECK (delegate_submission IN ('direct', 'review')),
  updated_at timestamptz NOT NULL
);
