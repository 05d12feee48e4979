-- An inbound message is stored once. A delivery cut off after the message was stored but before the
-- sender heard "250" is sent again by the sender, byte for byte: the second copy has the same
-- Message-ID and the same SHA-256 of its source, finds the first through this index, and is
-- acknowledged without being stored again. Rows stored before have no hash (null) and messages
-- without a Message-ID have none either: NULLs never collide in a unique index, so neither is
-- affected, and the index can be built over any existing rows.
ALTER TABLE inbound_messages ADD COLUMN content_sha256 text;
CREATE UNIQUE INDEX inbound_messages_once ON inbound_messages (message_id, content_sha256);
