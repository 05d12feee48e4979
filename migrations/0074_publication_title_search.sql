-- The library's search puts publications whose title or summary match first (the title counting for
-- more), then those that match in their text alone, newest first: a separate, small vector of the
-- title and summary ranks the first group without reading any text, and the second is read in the
-- order of the date index, so a common word costs a page of rows, not every publication that has it.
ALTER TABLE publications ADD COLUMN title_search tsvector GENERATED ALWAYS AS (
  setweight(to_tsvector('english', title), 'A') ||
  setweight(to_tsvector('english', summary), 'B')
) STORED;

CREATE INDEX publications_title_search_idx ON publications USING gin (title_search) WHERE status = 'published';
