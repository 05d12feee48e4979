-- A person across cases. The complaints module keeps each case's parties (complainant,
-- representative) with their details; a person is what staff have found to be the same human being
-- on several cases. Every party belongs to exactly one person: its own, until staff link it to
-- another's after checking them side by side. No personal data is held here, only the links.
CREATE TABLE people (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE person_parties (
  party_id uuid PRIMARY KEY REFERENCES complaint_parties (id) ON DELETE CASCADE,
  person_id uuid NOT NULL REFERENCES people (id),
  -- Who linked the party to this person, and when; null for the person a party started as.
  linked_by uuid REFERENCES users (id),
  linked_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX person_parties_person ON person_parties (person_id);

-- Every party starts as a person of its own, whichever way it was recorded (public form, staff, API,
-- demo data), so a restriction can always name a person.
CREATE FUNCTION complaint_party_person() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  person uuid;
BEGIN
  INSERT INTO people DEFAULT VALUES RETURNING id INTO person;
  INSERT INTO person_parties (party_id, person_id) VALUES (NEW.id, person);
  RETURN NEW;
END $$;
CREATE TRIGGER complaint_party_person AFTER INSERT ON complaint_parties
  FOR EACH ROW EXECUTE FUNCTION complaint_party_person();

WITH parties AS MATERIALIZED (SELECT id AS party_id, gen_random_uuid() AS person_id FROM complaint_parties),
  made AS (INSERT INTO people (id) SELECT person_id FROM parties)
INSERT INTO person_parties (party_id, person_id) SELECT party_id, person_id FROM parties;

-- Suggestions: other parties with the same email address or phone number (its last ten digits).
CREATE INDEX complaint_parties_email_lower ON complaint_parties (lower(email));
CREATE INDEX complaint_parties_phone_digits ON complaint_parties (right(regexp_replace(phone, '[^0-9]', '', 'g'), 10));
