-- Training: courses (published on the public site), their sessions, the places booked on them with
-- the waiting list, attendance and feedback. Attendees' names, addresses and accessibility needs
-- live here only.
CREATE TABLE training_courses (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  title text NOT NULL,
  audiences text[] NOT NULL CHECK (cardinality(audiences) > 0
    AND audiences <@ ARRAY['councils', 'care-providers', 'councillors', 'link-officers']::text[]),
  format text NOT NULL CHECK (format IN ('online', 'in-person', 'elearning', 'workbook', 'event')),
  description text NOT NULL,
  learning_outcomes text NOT NULL DEFAULT '',
  duration_minutes integer CHECK (duration_minutes > 0),
  price_pence integer NOT NULL DEFAULT 0 CHECK (price_pence >= 0),
  -- eLearning courses and workbooks are reached at an address elsewhere; they have no sessions.
  external_url text,
  published boolean NOT NULL DEFAULT false,
  created_by uuid REFERENCES users (id),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX training_courses_published ON training_courses (title) WHERE published;

CREATE TABLE training_sessions (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  course_id uuid NOT NULL REFERENCES training_courses (id),
  starts_at timestamptz NOT NULL,
  ends_at timestamptz NOT NULL,
  capacity integer NOT NULL CHECK (capacity > 0),
  booking_closes_at timestamptz NOT NULL,
  joining_instructions text,
  venue text,
  trainer_id uuid REFERENCES users (id),
  -- An in-house session for one authority's people, or a session for one network.
  authority_id uuid REFERENCES authorities (id),
  network text,
  -- The next place in arrival order: taken (and moved on) under the session's row lock.
  next_position integer NOT NULL DEFAULT 1,
  cancelled_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  CHECK (ends_at > starts_at),
  CHECK (booking_closes_at <= starts_at)
);
CREATE INDEX training_sessions_course ON training_sessions (course_id, starts_at);
CREATE INDEX training_sessions_upcoming ON training_sessions (starts_at) WHERE cancelled_at IS NULL;

CREATE TABLE training_bookings (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  session_id uuid NOT NULL REFERENCES training_sessions (id),
  name text NOT NULL,
  email text NOT NULL,
  email_key text GENERATED ALWAYS AS (lower(email)) STORED,
  organisation text,
  job_role text,
  accessibility_needs text,
  authority_id uuid REFERENCES authorities (id),
  booked_by uuid REFERENCES users (id),
  purchase_order text,
  -- pending: waiting for the emailed link; confirmed; waitlisted; offered: a place is held for
  -- them until offer_expires_at; cancelled; lapsed: an unconfirmed booking or an offer not taken up.
  status text NOT NULL CHECK (status IN ('pending', 'confirmed', 'waitlisted', 'offered', 'cancelled', 'lapsed')),
  -- Arrival order within the session, given when the booking is placed (or confirmed by its link).
  position integer,
  confirm_token_hash text UNIQUE,
  confirm_expires_at timestamptz,
  offer_token_hash text UNIQUE,
  offer_expires_at timestamptz,
  -- The attendee's own page (certificate, feedback), reached by a link sent after the session.
  attendee_token_hash text UNIQUE,
  confirmed_at timestamptz,
  cancelled_at timestamptz,
  reminded_at timestamptz,
  attendance text CHECK (attendance IN ('attended', 'no-show')),
  attendance_marked_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now()
);
-- One live booking per person per session.
CREATE UNIQUE INDEX training_bookings_one_per_email ON training_bookings (session_id, email_key)
  WHERE status NOT IN ('cancelled', 'lapsed');
CREATE UNIQUE INDEX training_bookings_position ON training_bookings (session_id, position);
CREATE INDEX training_bookings_waiting ON training_bookings (session_id, position) WHERE status = 'waitlisted';
CREATE INDEX training_bookings_offers ON training_bookings (offer_expires_at) WHERE status = 'offered';
CREATE INDEX training_bookings_authority ON training_bookings (authority_id) WHERE authority_id IS NOT NULL;

CREATE TABLE training_feedback (
  booking_id uuid PRIMARY KEY REFERENCES training_bookings (id),
  rating integer NOT NULL CHECK (rating BETWEEN 1 AND 5),
  comments text NOT NULL DEFAULT '',
  submitted_at timestamptz NOT NULL DEFAULT now()
);
