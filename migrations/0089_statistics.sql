-- Performance statistics: each authority's figures for a year (1 April to 31 March, London dates),
-- computed from the casework tables by one set-based statement per year and kept here, so the public
-- pages, the open data and the letters read a few rows instead of the cases. Rebuilt by a job and by
-- `statistics:refresh`; never edited by hand.

-- A year that has figures: when they were last worked out and the day they are published (set by the
-- relationship lead; until then only staff and the authority itself see them).
CREATE TABLE statistics_years (
  year smallint PRIMARY KEY CHECK (year BETWEEN 2000 AND 2100),
  refreshed_at timestamptz NOT NULL,
  publish_on date,
  publish_set_by uuid REFERENCES users (id) ON DELETE SET NULL,
  publish_set_at timestamptz
);

-- One row per authority with anything in the year (an authority with no row had nothing: zeros).
CREATE TABLE authority_statistics (
  authority_id uuid NOT NULL REFERENCES authorities (id) ON DELETE CASCADE,
  year smallint NOT NULL REFERENCES statistics_years (year) ON DELETE CASCADE,
  received integer NOT NULL,
  -- Complaints received by service area: { "housing": 12, ... }.
  received_by_area jsonb NOT NULL DEFAULT '{}'::jsonb,
  decided integer NOT NULL,
  not_for_us integer NOT NULL,
  assessed_and_closed integer NOT NULL,
  investigated integer NOT NULL,
  upheld integer NOT NULL,
  satisfactory_remedy integer NOT NULL,
  remedies_due integer NOT NULL,
  remedies_complied integer NOT NULL,
  remedies_complied_late integer NOT NULL,
  public_reports integer NOT NULL,
  PRIMARY KEY (year, authority_id)
);
-- An authority's years, newest first (its performance page).
CREATE INDEX authority_statistics_authority_idx ON authority_statistics (authority_id, year DESC);

-- Totals per kind of authority and year: the "similar authorities" beside every authority's rates.
CREATE TABLE statistics_kind_totals (
  year smallint NOT NULL REFERENCES statistics_years (year) ON DELETE CASCADE,
  kind text NOT NULL,
  authorities integer NOT NULL,
  received integer NOT NULL,
  decided integer NOT NULL,
  investigated integer NOT NULL,
  upheld integer NOT NULL,
  satisfactory_remedy integer NOT NULL,
  remedies_due integer NOT NULL,
  remedies_complied integer NOT NULL,
  public_reports integer NOT NULL,
  PRIMARY KEY (year, kind)
);

-- Each authority's address on the public site: /authorities/<slug>/performance. Made from the name
-- at each refresh; a name shared by two authorities takes the reference (or the id) to tell them apart.
CREATE TABLE authority_slugs (
  authority_id uuid PRIMARY KEY REFERENCES authorities (id) ON DELETE CASCADE,
  slug text NOT NULL UNIQUE CHECK (slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$')
);
