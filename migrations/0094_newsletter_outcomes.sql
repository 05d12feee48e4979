-- A delivery's outcome, copied from its outbox row by the newsletter's worker once the row is
-- settled: an issue being sent is counted on its own deliveries (a narrow table), never by reading
-- the whole outbox, which holds every message ever sent.
ALTER TABLE newsletter_deliveries ADD COLUMN outcome text CHECK (outcome IN ('sent', 'failed'));
CREATE INDEX newsletter_deliveries_unsettled_idx ON newsletter_deliveries (issue_id)
  WHERE outbox_message_id IS NOT NULL AND outcome IS NULL;
