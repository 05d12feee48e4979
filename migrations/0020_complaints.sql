-- Complaints: the case at the heart of casework. A complaint is made about one authority (the tenant
-- key), by a complainant who may have a representative; it moves through received → intake →
-- assessment → investigation → ... → closed, and every move is recorded with who, when and why.
-- Documents belong to a complaint (or, for correspondence not yet filed, to no complaint).

-- One row per two-digit year: the next sequence number for references like '26 001 234'. Taken with
-- UPDATE ... RETURNING (or INSERT ... ON CONFLICT) so concurrent intakes never share a number.
CREATE TABLE complaint_reference_counters (
  year smallint PRIMARY KEY CHECK (year BETWEEN 0 AND 99),
  last_number integer NOT NULL CHECK (last_number BETWEEN 0 AND 999999)
);

CREATE TABLE complaints (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  reference text NOT NULL UNIQUE CHECK (reference ~ '^[0-9]{2} [0-9]{3} [0-9]{3}$'),
  authority_id uuid NOT NULL REFERENCES authorities (id) ON DELETE RESTRICT,
  service_area text NOT NULL CHECK (service_area IN (
    'adult-social-care', 'childrens-services', 'education', 'housing', 'planning',
    'highways-transport', 'benefits-tax', 'environmental-services', 'corporate-other')),
  status text NOT NULL DEFAULT 'received' CHECK (status IN (
    'received', 'intake', 'assessment', 'investigation', 'decision', 'remedy', 'closed')),
  -- How it reached us: the public form, the API, or an officer keying in a phone call or letter.
  channel text NOT NULL CHECK (channel IN ('online', 'phone', 'letter', 'email', 'api')),
  -- What happened, the injustice it caused and the outcome wanted: the complainant's own words.
  summary text NOT NULL,
  injustice text,
  outcome_wanted text,
  authority_process_finished boolean NOT NULL,
  -- London calendar date of the authority's final response (or, for care providers, of the referral
  -- back), when the complainant gave one.
  authority_final_response_on date,
  -- When the complainant complained to the authority (for a care provider: when the complaint was
  -- referred back to it): the start of the 12 weeks an unfinished process may take.
  authority_complained_on date,
  -- When the complainant first knew of the matter complained about (for the 12-month rule).
  aware_on date,
  -- Urgent flags jump the assessment queue.
  urgent_street_homelessness boolean NOT NULL DEFAULT false,
  urgent_care_home_eviction boolean NOT NULL DEFAULT false,
  urgent_serious_risk boolean NOT NULL DEFAULT false,
  urgent_domestic_abuse boolean NOT NULL DEFAULT false,
  urgent boolean GENERATED ALWAYS AS (
    urgent_street_homelessness OR urgent_care_home_eviction OR urgent_serious_risk OR urgent_domestic_abuse
  ) STORED,
  -- The rules the intake officer was shown, and what they decided about them.
  premature boolean NOT NULL DEFAULT false,
  late boolean NOT NULL DEFAULT false,
  late_reason text,
  investigator_id uuid REFERENCES users (id) ON DELETE SET NULL,
  -- Closing outcome; later stages add outcomes to this list.
  outcome text CHECK (outcome IN (
    'premature', 'invalid', 'out-of-jurisdiction', 'not-investigated',
    'closed-after-initial-enquiries', 'upheld', 'not-upheld', 'withdrawn')),
  outcome_reason text,
  received_at timestamptz NOT NULL,
  assessment_started_at timestamptz,
  closed_at timestamptz,
  created_by uuid REFERENCES users (id) ON DELETE SET NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  CHECK ((status = 'closed') = (closed_at IS NOT NULL)),
  CHECK (status <> 'closed' OR outcome IS NOT NULL)
);
-- Portal lists (tenant key first) and staff lists by status and age (keyset on received_at, id).
CREATE INDEX complaints_authority_idx ON complaints (authority_id, received_at DESC, id DESC);
CREATE INDEX complaints_status_idx ON complaints (status, received_at DESC, id DESC);
CREATE INDEX complaints_received_idx ON complaints (received_at DESC, id DESC);
CREATE INDEX complaints_investigator_idx ON complaints (investigator_id, received_at DESC, id DESC)
  WHERE investigator_id IS NOT NULL;
CREATE INDEX complaints_service_area_idx ON complaints (service_area, received_at DESC, id DESC);
-- The assessment queue: urgent first, then oldest.
CREATE INDEX complaints_queue_idx ON complaints ((NOT urgent), received_at, id)
  WHERE status IN ('received', 'intake', 'assessment');

-- The complainant and any representative: the one home of their personal data.
CREATE TABLE complaint_parties (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  complaint_id uuid NOT NULL REFERENCES complaints (id) ON DELETE CASCADE,
  authority_id uuid NOT NULL REFERENCES authorities (id) ON DELETE RESTRICT,
  role text NOT NULL CHECK (role IN ('complainant', 'representative')),
  name text NOT NULL,
  email text,
  phone text,
  address text,
  -- Accessibility or communication needs (large print, interpreter, easy read, ...).
  communication_needs text,
  -- Consent to share their details with the authority complained about.
  consent_to_share boolean NOT NULL DEFAULT false,
  -- For a representative: their relationship to the complainant.
  relationship text,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (complaint_id, role)
);
CREATE INDEX complaint_parties_authority_idx ON complaint_parties (authority_id, complaint_id);

-- Every status change, with who (null for the public form), when and why.
CREATE TABLE complaint_status_history (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  complaint_id uuid NOT NULL REFERENCES complaints (id) ON DELETE CASCADE,
  authority_id uuid NOT NULL REFERENCES authorities (id) ON DELETE RESTRICT,
  from_status text,
  to_status text NOT NULL,
  outcome text,
  reason text,
  changed_by uuid REFERENCES users (id) ON DELETE SET NULL,
  changed_at timestamptz NOT NULL
);
CREATE INDEX complaint_status_history_complaint_idx ON complaint_status_history (complaint_id, changed_at);

-- Documents: the file itself lives in storage under storage_key; this row says what it is, whose it
-- is and who may see it. complaint_id is null for documents not yet filed to a case.
CREATE TABLE documents (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  complaint_id uuid REFERENCES complaints (id) ON DELETE CASCADE,
  authority_id uuid REFERENCES authorities (id) ON DELETE RESTRICT,
  filename text NOT NULL,
  content_type text NOT NULL,
  size integer NOT NULL CHECK (size >= 0),
  sha256 text NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
  -- Never shown to the authority (nor released) when set.
  do_not_disclose boolean NOT NULL DEFAULT false,
  storage_key text NOT NULL,
  description text,
  uploaded_by uuid REFERENCES users (id) ON DELETE SET NULL,
  uploaded_at timestamptz NOT NULL
);
CREATE INDEX documents_complaint_idx ON documents (complaint_id, uploaded_at) WHERE complaint_id IS NOT NULL;
CREATE INDEX documents_authority_idx ON documents (authority_id, uploaded_at);

-- A small request to the authority for documents made at assessment, with its due date.
CREATE TABLE complaint_document_requests (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  complaint_id uuid NOT NULL REFERENCES complaints (id) ON DELETE CASCADE,
  authority_id uuid NOT NULL REFERENCES authorities (id) ON DELETE RESTRICT,
  description text NOT NULL,
  due_on date NOT NULL,
  requested_by uuid REFERENCES users (id) ON DELETE SET NULL,
  requested_at timestamptz NOT NULL
);
CREATE INDEX complaint_document_requests_complaint_idx ON complaint_document_requests (complaint_id, requested_at);

-- The public form's answers while it is being filled in, keyed by the hash of a random token held
-- in a cookie. Deleted on submit; drafts older than 24 hours are swept away.
CREATE TABLE complaint_drafts (
  token_hash text PRIMARY KEY,
  answers jsonb NOT NULL DEFAULT '{}'::jsonb,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL
);
CREATE INDEX complaint_drafts_updated_idx ON complaint_drafts (updated_at);
