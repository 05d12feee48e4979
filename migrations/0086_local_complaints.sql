-- The authority's own complaints log (stage 1 and stage 2 under the Complaint Handling Code, or a
-- statutory social care route): its records, their stages and events, CSV imports, each
-- authority's settings (column mapping, retention) and the link to an ombudsman case. The
-- complainant's name and contact are the authority's data and live here only.
CREATE TABLE local_complaints (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  authority_id uuid NOT NULL REFERENCES authorities (id),
  reference text NOT NULL,
  received_on date NOT NULL,
  service_area text NOT NULL,
  channel text NOT NULL CHECK (channel IN ('online', 'email', 'phone', 'letter', 'in-person', 'other')),
  complainant_name text NOT NULL,
  complainant_email text,
  complainant_phone text,
  -- Match keys for the ombudsman's intake: the address in lower case, the telephone's digits, the name in lower case.
  email_key text GENERATED ALWAYS AS (lower(complainant_email)) STORED,
  phone_key text GENERATED ALWAYS AS (nullif(regexp_replace(complainant_phone, '[^0-9]', '', 'g'), '')) STORED,
  name_key text GENERATED ALWAYS AS (lower(complainant_name)) STORED,
  summary text NOT NULL,
  statutory_route text CHECK (statutory_route IN ('adult-social-care', 'childrens-social-care')),
  stage smallint NOT NULL DEFAULT 1 CHECK (stage BETWEEN 1 AND 3),
  -- The next deadline of the current stage (acknowledgement, else response), null once answered or closed.
  next_due_on date,
  closed_on date,
  complaint_id uuid REFERENCES complaints (id),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (authority_id, reference)
);
-- The log: newest first within an authority, with the filters the page offers.
CREATE INDEX local_complaints_log ON local_complaints (authority_id, received_on DESC, id DESC);
CREATE INDEX local_complaints_area ON local_complaints (authority_id, service_area, received_on DESC, id DESC);
CREATE INDEX local_complaints_due ON local_complaints (authority_id, next_due_on) WHERE next_due_on IS NOT NULL;
CREATE INDEX local_complaints_email ON local_complaints (authority_id, email_key) WHERE email_key IS NOT NULL;
CREATE INDEX local_complaints_phone ON local_complaints (authority_id, phone_key) WHERE phone_key IS NOT NULL;
CREATE INDEX local_complaints_name ON local_complaints (authority_id, name_key, service_area);
CREATE INDEX local_complaints_case ON local_complaints (complaint_id) WHERE complaint_id IS NOT NULL;
CREATE INDEX local_complaints_closed ON local_complaints (closed_on) WHERE closed_on IS NOT NULL;

CREATE TABLE local_complaint_stages (
  local_complaint_id uuid NOT NULL REFERENCES local_complaints (id) ON DELETE CASCADE,
  stage smallint NOT NULL CHECK (stage BETWEEN 1 AND 3),
  handler text,
  opened_on date NOT NULL,
  acknowledged_on date,
  extension_working_days integer CHECK (extension_working_days > 0),
  extension_reason text,
  extended_on date,
  responded_on date,
  outcome text CHECK (outcome IN ('upheld', 'partly-upheld', 'not-upheld', 'resolved', 'withdrawn')),
  told_of_ombudsman boolean,
  -- Worked out when the stage changes, for the dashboard's on-time counts.
  acknowledge_by date NOT NULL,
  respond_by date NOT NULL,
  PRIMARY KEY (local_complaint_id, stage)
);

CREATE TABLE local_complaint_events (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  local_complaint_id uuid NOT NULL REFERENCES local_complaints (id) ON DELETE CASCADE,
  stage smallint NOT NULL,
  type text NOT NULL CHECK (type IN ('received', 'acknowledged', 'extended', 'responded', 'escalated', 'closed')),
  happened_on date NOT NULL,
  detail text,
  recorded_by_type text NOT NULL CHECK (recorded_by_type IN ('user', 'token', 'import')),
  recorded_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX local_complaint_events_record ON local_complaint_events (local_complaint_id, happened_on, recorded_at);

-- Each authority's settings: the columns of its complaints system's export, and how long closed records are kept.
CREATE TABLE local_complaint_settings (
  authority_id uuid PRIMARY KEY REFERENCES authorities (id),
  column_mapping jsonb NOT NULL DEFAULT '{}',
  retention_years integer NOT NULL DEFAULT 6 CHECK (retention_years BETWEEN 1 AND 50),
  self_assessment jsonb NOT NULL DEFAULT '{}',
  updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE local_complaint_imports (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  authority_id uuid NOT NULL REFERENCES authorities (id),
  created_by uuid REFERENCES users (id),
  file_name text NOT NULL,
  status text NOT NULL DEFAULT 'checked' CHECK (status IN ('checked', 'saving', 'succeeded', 'failed')),
  total_rows integer NOT NULL,
  processed_rows integer NOT NULL DEFAULT 0,
  to_create integer NOT NULL DEFAULT 0,
  to_update integer NOT NULL DEFAULT 0,
  unchanged integer NOT NULL DEFAULT 0,
  refused integer NOT NULL DEFAULT 0,
  -- The rows checked by the dry run (kept until the import is applied), and the refusals with their lines.
  rows jsonb,
  refusals jsonb NOT NULL DEFAULT '[]',
  created_at timestamptz NOT NULL DEFAULT now(),
  finished_at timestamptz
);
CREATE INDEX local_complaint_imports_authority ON local_complaint_imports (authority_id, created_at DESC);
