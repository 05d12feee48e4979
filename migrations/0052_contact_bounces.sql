-- A permanent delivery failure marks the address it happened to: the authority's generic inbox or a
-- senior officer, as link officers already are. The mark belongs to the address, so the database
-- clears it whenever the address changes, whichever way it is changed (page, API or import).
ALTER TABLE authorities ADD COLUMN generic_inbox_failing_since timestamptz;
ALTER TABLE authorities ADD COLUMN generic_inbox_bounce_status text;
ALTER TABLE senior_officers ADD COLUMN failing_since timestamptz;
ALTER TABLE senior_officers ADD COLUMN bounce_status text;

CREATE FUNCTION authorities_inbox_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF lower(NEW.generic_inbox) IS DISTINCT FROM lower(OLD.generic_inbox) THEN
    NEW.generic_inbox_failing_since := NULL;
    NEW.generic_inbox_bounce_status := NULL;
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER authorities_inbox_changed BEFORE UPDATE OF generic_inbox ON authorities
  FOR EACH ROW EXECUTE FUNCTION authorities_inbox_changed();

CREATE FUNCTION senior_officers_email_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF lower(NEW.email) IS DISTINCT FROM lower(OLD.email) THEN
    NEW.failing_since := NULL;
    NEW.bounce_status := NULL;
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER senior_officers_email_changed BEFORE UPDATE OF email ON senior_officers
  FOR EACH ROW EXECUTE FUNCTION senior_officers_email_changed();

-- The staff home lists authorities with a bouncing contact: only the few marked rows are indexed.
CREATE INDEX authorities_inbox_failing_idx ON authorities (generic_inbox_failing_since)
  WHERE generic_inbox_failing_since IS NOT NULL;
CREATE INDEX senior_officers_failing_idx ON senior_officers (authority_id)
  WHERE failing_since IS NOT NULL;
