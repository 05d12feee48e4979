-- Final decisions name their outcome precisely: upheld with or without injustice, or remedied by the
-- authority before we decided. A case can also be opened from another (a remedy not complied with).
UPDATE complaints SET outcome = 'upheld-injustice' WHERE outcome = 'upheld';
UPDATE complaint_status_history SET outcome = 'upheld-injustice' WHERE outcome = 'upheld';
ALTER TABLE complaints DROP CONSTRAINT complaints_outcome_check;
ALTER TABLE complaints ADD CONSTRAINT complaints_outcome_check CHECK (outcome IN (
  'premature', 'invalid', 'out-of-jurisdiction', 'not-investigated', 'closed-after-initial-enquiries',
  'upheld-injustice', 'upheld-no-injustice', 'not-upheld', 'remedied-by-authority', 'withdrawn'));
ALTER TABLE complaints ADD COLUMN linked_from_complaint_id uuid REFERENCES complaints (id) ON DELETE SET NULL;
CREATE INDEX complaints_linked_from_idx ON complaints (linked_from_complaint_id) WHERE linked_from_complaint_id IS NOT NULL;
