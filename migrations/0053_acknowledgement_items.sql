-- The acknowledgement of a new complaint is correspondence on the case like every other message to
-- the complainant: it shows on the case's correspondence with its delivery, and replies to it thread.
ALTER TABLE correspondence_items DROP CONSTRAINT correspondence_items_kind_check;
ALTER TABLE correspondence_items ADD CONSTRAINT correspondence_items_kind_check CHECK (kind IN ('enquiry',
  'reminder', 'draft-decision', 'final-decision', 'public-report-alert', 'portal-notification', 'message',
  'reply', 'acknowledgement'));
