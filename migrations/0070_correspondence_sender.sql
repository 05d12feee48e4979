-- Who an inbound message was from, as the case knew them when it was filed: their role (a link
-- officer, a delegate, the chief executive, the complainant…) and, for the authority's people, their
-- name. Kept so the timeline names a sender by the role they held then, not whatever they hold now.
-- Both are null for a sender the case did not know (the timeline shows staff the address) and for
-- outgoing items.
ALTER TABLE correspondence_items
  ADD COLUMN sender_role text,
  ADD COLUMN sender_name text;
