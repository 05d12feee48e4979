-- The portal's latest reminders read an authority's reminders newest first and stop at ten: with the
-- id in the index as the tie-breaker (a sweep writes many reminders with one timestamp), the walk
-- stops there instead of reading and sorting every reminder the authority ever had.
CREATE INDEX enquiry_reminders_authority_latest_idx ON enquiry_reminders (authority_id, sent_at DESC, id);
DROP INDEX enquiry_reminders_authority_idx;
