-- The library's search puts publications whose title matches first, then those that match in their
-- summary or text; each group newest first. The title's own vector (with its own statistics, so that
-- the planner knows how few titles a word is in) and its index find the first group without reading
-- any text; the second is read in the date index's order, so a common word costs a page of rows, not
-- every publication that has it.
ALTER TABLE publications ADD COLUMN title_search tsvector GENERATED ALWAYS AS (to_tsvector('english', title)) STORED;

CREATE INDEX publications_title_search_idx ON publications USING gin (title_search) WHERE status = 'published';
