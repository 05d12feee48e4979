-- Inbound mail received whole that the parser cannot read (broken MIME) is kept with its source and
-- held for a person (hold_reason 'unreadable'), never filed on a case; this says why it could not be
-- read, in a few plain words.
ALTER TABLE inbound_messages ADD COLUMN unreadable_reason text;

-- An outgoing message whose delivery was not known (handed to the relay without a recorded answer)
-- that an administrator queued to be sent again, under the same Message-ID: when, and by whom.
ALTER TABLE outbox_messages
  ADD COLUMN resent_at timestamptz,
  ADD COLUMN resent_by uuid REFERENCES users (id) ON DELETE SET NULL;
CREATE INDEX outbox_messages_resent_by_fk_idx ON outbox_messages (resent_by) WHERE resent_by IS NOT NULL;
