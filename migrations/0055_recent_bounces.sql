-- The authority page lists the mail its contacts refused most recently, to help put an address right.
CREATE INDEX correspondence_deliveries_bounced_idx ON correspondence_deliveries (authority_id, bounced_at DESC)
  WHERE bounced_at IS NOT NULL;
