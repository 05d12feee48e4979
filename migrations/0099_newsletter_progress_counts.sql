-- An issue keeps two running counts of its deliveries on its own row: those written to the outbox
-- (`deliveries_queued`, added to in the fan-out's transaction that writes them) and, of those, the
-- ones whose outcome the worker has copied from the outbox (`deliveries_settled`, added to by the
-- statement that copies them). Each count changes with the rows it counts, in one transaction, so a
-- process killed at any point leaves it true. The progress page reads them with the issue instead
-- of counting its deliveries while the worker rewrites them.
ALTER TABLE newsletter_issues
  ADD COLUMN deliveries_queued integer NOT NULL DEFAULT 0,
  ADD COLUMN deliveries_settled integer NOT NULL DEFAULT 0;

UPDATE newsletter_issues i
SET deliveries_queued = (SELECT count(*) FROM newsletter_deliveries d WHERE d.issue_id = i.id AND d.queued_at IS NOT NULL),
    deliveries_settled = (SELECT count(*) FROM newsletter_deliveries d WHERE d.issue_id = i.id AND d.outcome IS NOT NULL)
WHERE i.status <> 'draft';
