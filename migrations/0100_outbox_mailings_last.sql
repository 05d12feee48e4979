-- A message that is one of a mailing to many (a newsletter issue) is marked `bulk`. Senders claim
-- every due message to one person before any bulk one, oldest first within each, so a mailing of
-- thousands never holds up a sign-in link, a notice or a reply. The index serves that claim.
ALTER TABLE outbox_messages ADD COLUMN bulk boolean NOT NULL DEFAULT false;

CREATE INDEX outbox_messages_claim_idx ON outbox_messages (bulk, created_at) WHERE status = 'queued';
