-- Public reports: a report proposed on a case under investigation (with the criteria that justify
-- it), its draft (issued as the draft decision, with alerts to the authority's chief executive,
-- monitoring officer and head of service), its final report (the final decision) and the statutory
-- tracker that follows: public notice, public inspection, consideration by the authority and
-- notification of the action taken, each with a due date, evidence, reminders and escalation;
-- further reports; and the letter of satisfaction that closes it.

CREATE TABLE public_reports (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  complaint_id uuid NOT NULL REFERENCES complaints (id) ON DELETE CASCADE,
  authority_id uuid NOT NULL REFERENCES authorities (id) ON DELETE RESTRICT,
  status text NOT NULL CHECK (status IN ('draft', 'final', 'satisfied')),
  criteria text[] NOT NULL CHECK (
    cardinality(criteria) > 0 AND criteria <@ ARRAY['recurrent-fault', 'significant-injustice', 'non-compliance',
      'many-complaints', 'topical-issue', 'systemic', 'rejected-findings']::text[]),
  -- The draft (as a draft decision of form 'report') and the final report (the final decision).
  draft_id uuid,
  comment_due_on date NOT NULL,
  draft_issued_on date NOT NULL,
  final_decision_id uuid,
  final_issued_on date,
  -- 1 for the report, 2 and on for each further report: the statutory steps are per round.
  round integer NOT NULL DEFAULT 1 CHECK (round >= 1),
  satisfied_on date,
  satisfaction_text text,
  proposed_by uuid REFERENCES users (id) ON DELETE SET NULL,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL,
  CHECK ((status = 'draft') = (final_issued_on IS NULL)),
  CHECK ((status = 'satisfied') = (satisfied_on IS NOT NULL))
);
-- One report in progress per case.
CREATE UNIQUE INDEX public_reports_open_idx ON public_reports (complaint_id) WHERE status <> 'satisfied';
CREATE INDEX public_reports_authority_idx ON public_reports (authority_id, created_at DESC, id DESC);

-- Who was alerted to a draft or further report: one row per recipient, with the address it went to
-- and, when the recipient has a portal account, when they opened it there.
CREATE TABLE public_report_alerts (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  report_id uuid NOT NULL REFERENCES public_reports (id) ON DELETE CASCADE,
  authority_id uuid NOT NULL REFERENCES authorities (id) ON DELETE RESTRICT,
  occasion text NOT NULL CHECK (occasion IN ('draft', 'final', 'further')),
  round integer NOT NULL,
  role text NOT NULL CHECK (role IN ('chief-executive', 'monitoring-officer', 'head-of-service')),
  officer_name text NOT NULL,
  email text NOT NULL,
  -- True when no officer holds the role and the chief executive was alerted in their place.
  fallback boolean NOT NULL DEFAULT false,
  correspondence_item_id uuid REFERENCES correspondence_items (id) ON DELETE SET NULL,
  portal_user_id uuid REFERENCES users (id) ON DELETE SET NULL,
  seen_at timestamptz,
  created_at timestamptz NOT NULL,
  UNIQUE (report_id, occasion, round, role)
);
CREATE INDEX public_report_alerts_user_idx ON public_report_alerts (portal_user_id) WHERE portal_user_id IS NOT NULL;

CREATE TABLE public_report_steps (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  report_id uuid NOT NULL REFERENCES public_reports (id) ON DELETE CASCADE,
  authority_id uuid NOT NULL REFERENCES authorities (id) ON DELETE RESTRICT,
  round integer NOT NULL,
  kind text NOT NULL CHECK (kind IN ('public-notice', 'public-inspection', 'consideration', 'notification')),
  position integer NOT NULL,
  due_on date NOT NULL,
  -- How the due date was worked out, in words, so anyone can check it.
  due_rule text NOT NULL,
  completed_on date,
  completed_at timestamptz,
  completed_by uuid REFERENCES users (id) ON DELETE SET NULL,
  evidence_document_id uuid REFERENCES documents (id) ON DELETE SET NULL,
  note text,
  -- For the consideration step: who considered the report.
  body text CHECK (body IN ('full-council', 'cabinet', 'committee')),
  escalated_at timestamptz,
  created_at timestamptz NOT NULL,
  UNIQUE (report_id, round, kind),
  CHECK ((completed_on IS NULL) = (completed_at IS NULL))
);
CREATE INDEX public_report_steps_open_idx ON public_report_steps (due_on) WHERE completed_on IS NULL;

-- Each reminder or escalation of a step, written once (the unique key holds under concurrent sweeps).
CREATE TABLE public_report_reminders (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  step_id uuid NOT NULL REFERENCES public_report_steps (id) ON DELETE CASCADE,
  authority_id uuid NOT NULL REFERENCES authorities (id) ON DELETE RESTRICT,
  kind text NOT NULL CHECK (kind IN ('before-due', 'overdue', 'escalated')),
  due_on date NOT NULL,
  sent_at timestamptz NOT NULL,
  CONSTRAINT public_report_reminders_once UNIQUE (step_id, kind, due_on)
);

CREATE TABLE public_report_further (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  report_id uuid NOT NULL REFERENCES public_reports (id) ON DELETE CASCADE,
  round integer NOT NULL,
  reason text NOT NULL CHECK (reason IN ('no-response', 'not-satisfied')),
  text_body text NOT NULL,
  issued_on date NOT NULL,
  issued_by uuid REFERENCES users (id) ON DELETE SET NULL,
  created_at timestamptz NOT NULL,
  UNIQUE (report_id, round)
);

-- Correspondence can now be addressed to the monitoring officer and the head of service.
ALTER TABLE correspondence_deliveries DROP CONSTRAINT correspondence_deliveries_recipient_role_check;
ALTER TABLE correspondence_deliveries ADD CONSTRAINT correspondence_deliveries_recipient_role_check
  CHECK (recipient_role IN ('link-officer', 'cover', 'generic-inbox', 'chief-executive', 'monitoring-officer',
    'head-of-service', 'complainant', 'representative'));
