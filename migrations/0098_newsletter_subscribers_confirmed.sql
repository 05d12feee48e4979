-- The staff newsletter page lists the newest confirmed subscribers and counts them: both read this
-- small index instead of sorting or scanning every subscriber.
CREATE INDEX newsletter_subscribers_confirmed_idx
  ON newsletter_subscribers (confirmed_at DESC, id)
  WHERE status = 'confirmed';
