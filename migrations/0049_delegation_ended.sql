-- A delegated task the delegate never finished ends when its enquiry is answered or closed without
-- it: it is then neither open nor overdue, and counts neither for nor against the delegate.
ALTER TABLE enquiry_delegations ADD COLUMN ended_at timestamptz;
ALTER TABLE enquiry_delegations ADD CONSTRAINT enquiry_delegations_ended_check
  CHECK (ended_at IS NULL OR completed_at IS NULL);
