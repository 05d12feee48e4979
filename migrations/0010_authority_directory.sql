-- The authority directory: every body in jurisdiction with its address, region, generic inbox and
-- senior officers, searchable by name, kind and region; and CSV imports of the directory.

ALTER TABLE authorities
  ADD COLUMN address text,
  ADD COLUMN region text,
  ADD COLUMN generic_inbox text,
  ADD COLUMN closed_at timestamptz,
  -- Words of the name and the reference, for prefix search ("surr coun" finds Surrey County Council).
  ADD COLUMN search_words tsvector GENERATED ALWAYS AS (
    to_tsvector('simple'::regconfig, name || ' ' || coalesce(reference, ''))
  ) STORED;

ALTER TABLE authorities
  ADD CONSTRAINT authorities_kind_check CHECK (kind IN (
    'county', 'district', 'unitary', 'metropolitan', 'london-borough', 'combined-authority',
    'national-park', 'fire-and-rescue', 'admission-appeal-panel', 'transport', 'other-public-body',
    'care-provider')),
  -- An authority is closed exactly when it is not active.
  ADD CONSTRAINT authorities_closed_check CHECK (active = (closed_at IS NULL));

-- The external reference (ONS/GSS code, care regulator location id) identifies an authority in imports.
CREATE UNIQUE INDEX authorities_reference_key ON authorities (reference) WHERE reference IS NOT NULL;
CREATE INDEX authorities_search_idx ON authorities USING gin (search_words);
-- Directory listings filtered by kind or region, in name order (keyset pagination on lower(name), id).
CREATE INDEX authorities_kind_name_idx ON authorities (kind, lower(name), id);
CREATE INDEX authorities_region_name_idx ON authorities (region, lower(name), id);

-- Senior officers: the chief executive (or equivalent, the addressee of every letter), the monitoring
-- officer and a head of service per service area. Personal data: this table is its one home.
CREATE TABLE senior_officers (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  authority_id uuid NOT NULL REFERENCES authorities (id) ON DELETE CASCADE,
  role text NOT NULL CHECK (role IN ('chief-executive', 'monitoring-officer', 'head-of-service')),
  service_area text CHECK (service_area IN (
    'adult-social-care', 'childrens-services', 'education', 'housing', 'planning',
    'highways-transport', 'benefits-tax', 'environmental-services', 'corporate-other')),
  title text,
  name text NOT NULL,
  job_title text NOT NULL,
  email text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  CHECK ((role = 'head-of-service') = (service_area IS NOT NULL)),
  -- One officer per role and service area; leads with the tenant key, so it serves authority pages.
  CONSTRAINT senior_officers_role_key UNIQUE NULLS NOT DISTINCT (authority_id, role, service_area)
);

-- A CSV import of the directory: progress while it is checked, then the result. The file itself is
-- never stored; rows wait in authority_import_rows only while the import runs.
CREATE TABLE authority_imports (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  created_by uuid REFERENCES users (id) ON DELETE SET NULL,
  file_name text NOT NULL,
  status text NOT NULL DEFAULT 'checking' CHECK (status IN ('checking', 'saving', 'succeeded', 'failed')),
  total_rows integer NOT NULL,
  processed_rows integer NOT NULL DEFAULT 0,
  created_count integer NOT NULL DEFAULT 0,
  updated_count integer NOT NULL DEFAULT 0,
  -- Row errors: [{ row, column, message }]; messages never repeat the values entered.
  errors jsonb NOT NULL DEFAULT '[]'::jsonb,
  failure text,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  finished_at timestamptz
);
CREATE INDEX authority_imports_listing_idx ON authority_imports (created_at DESC, id DESC);

CREATE TABLE authority_import_rows (
  import_id uuid NOT NULL REFERENCES authority_imports (id) ON DELETE CASCADE,
  row_number integer NOT NULL,
  name text NOT NULL,
  kind text NOT NULL,
  reference text NOT NULL,
  address text,
  region text,
  generic_inbox text,
  ce_title text,
  ce_name text NOT NULL,
  ce_job_title text NOT NULL,
  ce_email text NOT NULL,
  mo_title text,
  mo_name text,
  mo_job_title text,
  mo_email text,
  PRIMARY KEY (import_id, row_number)
);
