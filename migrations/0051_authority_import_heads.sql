-- A directory import carries what the export does: whether each authority is open or closed, and its
-- heads of service, so an exported file can be imported again as it is.
ALTER TABLE authority_import_rows
  -- True reopens the authority, false closes it, null (the file has no status) leaves it as it is.
  ADD COLUMN active boolean,
  -- Heads of service by service area: {"housing": {"title", "name", "job_title", "email"}, ...}. An
  -- area whose columns are empty is null (its head is removed); an area the file has no columns for
  -- is absent (its head is left as it is). Null when the file has no head of service columns.
  ADD COLUMN heads jsonb;
