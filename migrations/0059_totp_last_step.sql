-- The 30-second step of the last two-factor code accepted for the user: a code of that step or an
-- earlier one is refused, so each code signs in once. Set by a conditional update, so two browsers
-- sending the same code at once cannot both succeed.
ALTER TABLE users ADD COLUMN totp_last_step bigint;
