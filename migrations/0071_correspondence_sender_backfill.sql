-- Replies filed before senders were kept (0070): their sender as the case knows them now, by the
-- same rule as filing (a party to the complaint, a link officer, a portal user of the authority, a
-- senior officer, the authority's inbox). A reply from an address the case does not know stays null.
UPDATE correspondence_items AS i
SET (sender_role, sender_name) = (
  SELECT s.role, s.name FROM (
    SELECT p.role::text AS role, NULL::text AS name, 1 AS rank FROM complaint_parties p
      WHERE p.complaint_id = i.complaint_id AND lower(p.email) = lower(i.from_address)
    UNION ALL SELECT 'link-officer', o.forename || ' ' || o.surname, 2 FROM link_officers o
      WHERE o.authority_id = i.authority_id
        AND (lower(o.email) = lower(i.from_address) OR lower(o.correspondence_email) = lower(i.from_address))
    UNION ALL SELECT coalesce(r.role, 'authority-user'), u.display_name,
        CASE r.role WHEN 'link-officer' THEN 3 WHEN 'delegate' THEN 4 ELSE 5 END
      FROM users u LEFT JOIN user_roles r ON r.user_id = u.id
      WHERE u.authority_id = i.authority_id AND lower(u.email) = lower(i.from_address)
    UNION ALL SELECT so.role::text, so.name, 6 FROM senior_officers so
      WHERE so.authority_id = i.authority_id AND lower(so.email) = lower(i.from_address)
    UNION ALL SELECT 'generic-inbox', NULL, 7 FROM authorities a
      WHERE a.id = i.authority_id AND lower(a.generic_inbox) = lower(i.from_address)
  ) AS s
  ORDER BY s.rank
  LIMIT 1
)
WHERE i.direction = 'inbound' AND i.from_address IS NOT NULL AND i.sender_role IS NULL;
