-- Publications: focus reports, guidance notes, good-practice guides, joint reports, annual reports
-- and policies, written in Markdown and published to the public library at /publications/<slug>.

-- Topics a publication is filed under: the directory's service areas and the ombudsman's own topics.
CREATE TABLE publication_topics (
  slug text PRIMARY KEY CHECK (slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$' AND length(slug) <= 80),
  name text NOT NULL UNIQUE CHECK (length(name) BETWEEN 1 AND 80),
  service_area boolean NOT NULL DEFAULT false,
  created_at timestamptz NOT NULL DEFAULT now()
);

INSERT INTO publication_topics (slug, name, service_area) VALUES
  ('adult-social-care', 'Adult social care', true),
  ('childrens-services', 'Children’s services', true),
  ('education', 'Education', true),
  ('housing', 'Housing', true),
  ('planning', 'Planning', true),
  ('highways-transport', 'Highways and transport', true),
  ('benefits-tax', 'Benefits and tax', true),
  ('environmental-services', 'Environmental services', true),
  ('corporate-other', 'Corporate and other services', true),
  ('complaint-handling', 'Complaint handling', false),
  ('link-officers', 'Link officers', false),
  ('councillors-scrutiny', 'Councillors and scrutiny', false),
  ('remedies', 'Remedies', false),
  ('unreasonable-behaviour', 'Unreasonable complainant behaviour', false),
  ('good-administration', 'Good administration', false);

-- One row per publication, holding its current version. `published_at` is when it went (or goes)
-- public: a published row whose time is still to come is scheduled, and the public sees it from
-- that moment without anything having to run. `body_text` is the body as plain text (for search and
-- snippets), written by the service with the body.
CREATE TABLE publications (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  kind text NOT NULL CHECK (kind IN ('focus-report', 'guidance-note', 'good-practice-guide', 'joint-report', 'annual-report', 'policy')),
  slug text NOT NULL UNIQUE CHECK (slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$' AND length(slug) <= 120),
  title text NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
  summary text NOT NULL CHECK (length(summary) <= 1000),
  body text NOT NULL,
  body_text text NOT NULL,
  topics text[] NOT NULL DEFAULT '{}',
  councillor_questions text[] NOT NULL DEFAULT '{}',
  partners text[] NOT NULL DEFAULT '{}',
  status text NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'published', 'withdrawn')),
  published_at timestamptz,
  version int NOT NULL DEFAULT 1,
  corrected_at timestamptz,
  withdrawn_at timestamptz,
  withdrawal_notice text,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  search tsvector GENERATED ALWAYS AS (
    setweight(to_tsvector('english', title), 'A') ||
    setweight(to_tsvector('english', summary), 'B') ||
    setweight(to_tsvector('english', body_text), 'C')
  ) STORED,
  CHECK (status = 'draft' OR published_at IS NOT NULL),
  CHECK ((status = 'withdrawn') = (withdrawn_at IS NOT NULL))
);

-- The public library: newest first, alone or by kind; topics and words through GIN.
CREATE INDEX publications_public_idx ON publications (published_at DESC, id DESC) WHERE status = 'published';
CREATE INDEX publications_public_kind_idx ON publications (kind, published_at DESC, id DESC) WHERE status = 'published';
CREATE INDEX publications_public_topics_idx ON publications USING gin (topics) WHERE status = 'published';
CREATE INDEX publications_search_idx ON publications USING gin (search) WHERE status = 'published';
-- The Atom feed: the latest publication or correction first.
CREATE INDEX publications_feed_idx ON publications ((coalesce(corrected_at, published_at)) DESC, id DESC)
  WHERE status = 'published';
-- The editor's list: most recently changed first.
CREATE INDEX publications_updated_idx ON publications (updated_at DESC, id DESC);

-- Addresses a publication had before its title changed: each redirects to the current one.
CREATE TABLE publication_slugs (
  slug text PRIMARY KEY CHECK (slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$' AND length(slug) <= 120),
  publication_id uuid NOT NULL REFERENCES publications (id) ON DELETE CASCADE,
  retired_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX publication_slugs_publication_idx ON publication_slugs (publication_id);

-- Every version a correction replaced, as the public saw it, for staff; and the correction's note.
CREATE TABLE publication_versions (
  publication_id uuid NOT NULL REFERENCES publications (id) ON DELETE CASCADE,
  version int NOT NULL,
  title text NOT NULL,
  summary text NOT NULL,
  body text NOT NULL,
  topics text[] NOT NULL,
  councillor_questions text[] NOT NULL,
  partners text[] NOT NULL,
  published_at timestamptz NOT NULL,
  replaced_at timestamptz NOT NULL,
  PRIMARY KEY (publication_id, version)
);

CREATE TABLE publication_corrections (
  publication_id uuid NOT NULL REFERENCES publications (id) ON DELETE CASCADE,
  -- The version the correction made.
  version int NOT NULL,
  note text NOT NULL CHECK (length(note) BETWEEN 1 AND 2000),
  corrected_at timestamptz NOT NULL,
  PRIMARY KEY (publication_id, version)
);

-- Files published with a publication (PDF, Word), stored as documents, checked by content.
CREATE TABLE publication_attachments (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  publication_id uuid NOT NULL REFERENCES publications (id) ON DELETE CASCADE,
  document_id uuid NOT NULL UNIQUE REFERENCES documents (id),
  title text NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
  added_at timestamptz NOT NULL
);
CREATE INDEX publication_attachments_publication_idx ON publication_attachments (publication_id, added_at);

-- Public pages whose text the relationship lead keeps (the information for link officers).
CREATE TABLE site_pages (
  key text PRIMARY KEY CHECK (key ~ '^[a-z0-9]+(-[a-z0-9]+)*$'),
  title text NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
  body text NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now()
);

-- The search's query: the words as a web search (quoted phrases, "or", -word), stemmed in English,
-- each stem of five letters or more also matching the words it begins ("complaining" is stemmed to
-- "complain", which then finds "complaints" and "complainant", stemmed to words of their own).
CREATE FUNCTION publication_search_query(words text) RETURNS tsquery
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  RETURN regexp_replace(websearch_to_tsquery('english', words)::text, '(^|[ (!])''([^'' ]{5,})''', '\1''\2'':*', 'g')::tsquery;
