-- A document's file is deleted once no row names it (files are stored once per content, so rows may
-- share one): finding the rows that name a file must not read the whole table.
CREATE INDEX documents_storage_key_idx ON documents (storage_key);

-- Uploads on the public complaint form wait, not yet filed to any case, on the visitor's draft; the
-- bytes they hold together are kept under a budget, added up from this index alone.
CREATE INDEX documents_unfiled_idx ON documents (uploaded_at) INCLUDE (size) WHERE complaint_id IS NULL;
