-- Status changes made in the same instant (one request closing a case it has just moved) keep the
-- order they were made in: a sequence breaks ties between equal timestamps.
ALTER TABLE complaint_status_history ADD COLUMN seq bigint GENERATED ALWAYS AS IDENTITY;
DROP INDEX complaint_status_history_complaint_idx;
CREATE INDEX complaint_status_history_complaint_idx ON complaint_status_history (complaint_id, changed_at, seq);
