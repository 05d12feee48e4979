-- The directory's senior officers include the leader of the council and the chair of scrutiny, to
-- whom the annual review letter is copied.
ALTER TABLE senior_officers DROP CONSTRAINT senior_officers_role_check;
ALTER TABLE senior_officers ADD CONSTRAINT senior_officers_role_check
  CHECK (role IN ('chief-executive', 'monitoring-officer', 'head-of-service', 'leader', 'scrutiny-chair'));
