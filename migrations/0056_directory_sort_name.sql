-- The directory's name order kept in a column. A word search sorts all its matches by name before it
-- takes a page, and working lower(name) out again for every match was about a third of its cost.
ALTER TABLE authorities ADD COLUMN sort_name text GENERATED ALWAYS AS (lower(name)) STORED;
DROP INDEX authorities_name_idx;
DROP INDEX authorities_kind_name_idx;
DROP INDEX authorities_region_name_idx;
CREATE INDEX authorities_name_idx ON authorities (sort_name, id);
CREATE INDEX authorities_kind_name_idx ON authorities (kind, sort_name, id);
CREATE INDEX authorities_region_name_idx ON authorities (region, sort_name, id);

-- Digits joined by a hyphen are one word: a care regulator's location id (1-100000123) is found as
-- it is typed. The word parser read it as "1" and "-100000123", which no search matched.
-- searchQuery() joins them in the search text the same way.
ALTER TABLE authorities DROP COLUMN search_words;
ALTER TABLE authorities ADD COLUMN search_words tsvector GENERATED ALWAYS AS (
  to_tsvector('simple'::regconfig, regexp_replace(name || ' ' || coalesce(reference, ''), '([0-9])-(?=[0-9])', '\1', 'g'))
) STORED;
CREATE INDEX authorities_search_idx ON authorities USING gin (search_words) WITH (fastupdate = off);
