-- The source of an inbound message is kept as a file in the mail folder (DATA_DIR/mail), named by
-- raw_key; messages stored before keep theirs in raw_message. Every message has one or the other.
ALTER TABLE inbound_messages ADD COLUMN raw_key text;
ALTER TABLE inbound_messages ALTER COLUMN raw_message DROP NOT NULL;
ALTER TABLE inbound_messages ADD CONSTRAINT inbound_messages_raw_check
  CHECK (raw_key IS NOT NULL OR raw_message IS NOT NULL);
