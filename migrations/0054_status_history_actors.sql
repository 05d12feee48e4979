-- Who made each status change. A person is changed_by, as before; an API token is changed_by_token
-- (shown by its name); a job is the system; a complaint sent on the public form is the form itself.
-- Rows written before this migration recorded a person or nobody: those with a person are marked as
-- such, those with nobody keep changed_by_type null (not recorded) and are shown as they always were.
ALTER TABLE complaint_status_history
  ADD COLUMN changed_by_type text CHECK (changed_by_type IN ('user', 'token', 'system', 'public-form')),
  ADD COLUMN changed_by_token uuid REFERENCES api_tokens (id) ON DELETE SET NULL;
UPDATE complaint_status_history SET changed_by_type = 'user' WHERE changed_by IS NOT NULL;
ALTER TABLE complaint_status_history
  ADD CONSTRAINT complaint_status_history_user_check CHECK (changed_by IS NULL OR changed_by_type = 'user'),
  ADD CONSTRAINT complaint_status_history_token_check CHECK (changed_by_token IS NULL OR changed_by_type = 'token');
CREATE INDEX complaint_status_history_changed_by_token_fk_idx ON complaint_status_history (changed_by_token)
  WHERE changed_by_token IS NOT NULL;
