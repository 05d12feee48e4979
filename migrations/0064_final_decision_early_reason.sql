-- A final decision (or final report) issued before its draft's comment deadline needs the
-- investigator's confirmation and the reason it could not wait: the reason is kept with the
-- decision and shown to staff. Null for a decision issued once comments were due.
ALTER TABLE final_decisions
  ADD COLUMN early_reason text CHECK (early_reason IS NULL OR btrim(early_reason) <> '');
