-- Correspondence: every message on a case, outgoing or incoming, on a thread per case and audience
-- (the authority, the complainant) with its own reply address. Outgoing items are addressed to roles
-- and resolved to addresses when sent; each recipient has a delivery record over its outbox message.
-- Incoming mail that matches no thread waits in the holding pen for a person.

CREATE TABLE correspondence_threads (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  complaint_id uuid NOT NULL REFERENCES complaints (id) ON DELETE CASCADE,
  authority_id uuid NOT NULL REFERENCES authorities (id) ON DELETE RESTRICT,
  audience text NOT NULL CHECK (audience IN ('authority', 'complainant')),
  -- Random, in an alphabet without look-alike letters: replies come to case+<token>@<mail domain>.
  reply_token text NOT NULL UNIQUE CHECK (reply_token ~ '^[0-9a-hjkmnp-tv-z]{16}$'),
  created_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (complaint_id, audience)
);
CREATE INDEX correspondence_threads_authority_idx ON correspondence_threads (authority_id, complaint_id);

CREATE TABLE correspondence_items (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  thread_id uuid NOT NULL REFERENCES correspondence_threads (id) ON DELETE CASCADE,
  complaint_id uuid NOT NULL REFERENCES complaints (id) ON DELETE CASCADE,
  authority_id uuid NOT NULL REFERENCES authorities (id) ON DELETE RESTRICT,
  direction text NOT NULL CHECK (direction IN ('outbound', 'inbound')),
  kind text NOT NULL CHECK (kind IN ('enquiry', 'reminder', 'draft-decision', 'final-decision',
    'public-report-alert', 'portal-notification', 'message', 'reply')),
  -- Outbound: the roles it is addressed to, e.g. {link-officers} or {chief-executive}.
  addressees text[] NOT NULL DEFAULT '{}',
  is_letter boolean NOT NULL DEFAULT false,
  subject text NOT NULL,
  text_body text NOT NULL,
  html_body text,
  -- Inbound: who sent it (redacted when that person is erased), its Message-ID, and whether it was
  -- an automatic reply (recorded, but never a response and never answered).
  from_address text,
  message_id text,
  inbound_message_id uuid REFERENCES inbound_messages (id) ON DELETE SET NULL,
  auto_reply_reason text,
  counts_as_response boolean NOT NULL DEFAULT false,
  -- Outbound: when the recipients were resolved and their messages written to the outbox.
  dispatched_at timestamptz,
  created_by uuid REFERENCES users (id) ON DELETE SET NULL,
  created_at timestamptz NOT NULL,
  CHECK (direction = 'inbound' OR cardinality(addressees) > 0)
);
CREATE INDEX correspondence_items_complaint_idx ON correspondence_items (complaint_id, created_at, id);
CREATE INDEX correspondence_items_authority_idx ON correspondence_items (authority_id, created_at DESC, id DESC);
CREATE INDEX correspondence_items_undispatched_idx ON correspondence_items (created_at)
  WHERE direction = 'outbound' AND dispatched_at IS NULL;

-- One row per recipient of an outbound item. The address is the resolved one, kept (until erasure)
-- so staff can see where it went; the outbox message carries the sending state.
CREATE TABLE correspondence_deliveries (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  item_id uuid NOT NULL REFERENCES correspondence_items (id) ON DELETE CASCADE,
  authority_id uuid NOT NULL REFERENCES authorities (id) ON DELETE RESTRICT,
  recipient_role text NOT NULL CHECK (recipient_role IN ('link-officer', 'cover', 'generic-inbox',
    'chief-executive', 'complainant', 'representative')),
  link_officer_id uuid REFERENCES link_officers (id) ON DELETE SET NULL,
  address text NOT NULL,
  outbox_message_id uuid REFERENCES outbox_messages (id) ON DELETE SET NULL,
  -- A delayed-delivery report: the receiving side is still trying.
  deferred_at timestamptz,
  -- A permanent-failure report (RFC 3464): its status code and diagnostic.
  bounced_at timestamptz,
  bounce_status text,
  bounce_diagnostic text,
  -- The delivery this one replaced after that one bounced.
  fallback_for uuid REFERENCES correspondence_deliveries (id) ON DELETE SET NULL,
  opened_at timestamptz,
  created_at timestamptz NOT NULL,
  UNIQUE (item_id, address)
);
CREATE INDEX correspondence_deliveries_outbox_idx ON correspondence_deliveries (outbox_message_id);
CREATE INDEX correspondence_deliveries_address_idx ON correspondence_deliveries (lower(address));

-- Documents that came with (or went with) an item. A rejected attachment (wrong type, too large)
-- is listed with the reason and no document.
CREATE TABLE correspondence_attachments (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  item_id uuid NOT NULL REFERENCES correspondence_items (id) ON DELETE CASCADE,
  document_id uuid REFERENCES documents (id) ON DELETE SET NULL,
  filename text NOT NULL,
  content_type text NOT NULL,
  size integer NOT NULL,
  rejected_reason text
);
CREATE INDEX correspondence_attachments_item_idx ON correspondence_attachments (item_id);

-- Inbound mail: where it went (a thread, the holding pen, the bin) and why.
ALTER TABLE inbound_messages DROP CONSTRAINT inbound_messages_status_check;
ALTER TABLE inbound_messages ADD CONSTRAINT inbound_messages_status_check
  CHECK (status IN ('unfiled', 'filed', 'held', 'discarded', 'bounce'));
ALTER TABLE inbound_messages
  ADD COLUMN thread_id uuid REFERENCES correspondence_threads (id) ON DELETE SET NULL,
  ADD COLUMN hold_reason text,
  ADD COLUMN auto_reply_reason text,
  ADD COLUMN processed_at timestamptz,
  ADD COLUMN decided_by uuid REFERENCES users (id) ON DELETE SET NULL,
  ADD COLUMN decided_at timestamptz,
  ADD COLUMN discard_reason text;
CREATE INDEX inbound_messages_holding_pen_idx ON inbound_messages (received_at DESC, id DESC) WHERE status = 'held';

-- Outgoing mail: attachments (letters as PDF), and the moment a message was handed to the relay, so
-- a sender that dies mid-batch can tell messages never handed over (sent again) from those whose
-- fate it cannot know (`unknown`: never sent again automatically).
ALTER TABLE outbox_messages DROP CONSTRAINT outbox_messages_status_check;
ALTER TABLE outbox_messages ADD CONSTRAINT outbox_messages_status_check
  CHECK (status IN ('queued', 'sending', 'sent', 'held', 'failed', 'unknown'));
ALTER TABLE outbox_messages ADD COLUMN transmit_started_at timestamptz;
CREATE TABLE outbox_attachments (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  outbox_message_id uuid NOT NULL REFERENCES outbox_messages (id) ON DELETE CASCADE,
  filename text NOT NULL,
  content_type text NOT NULL,
  content bytea NOT NULL
);
CREATE INDEX outbox_attachments_message_idx ON outbox_attachments (outbox_message_id);

-- A link officer's address that bounces permanently: when it started and the last status code.
-- Correspondence skips a failing address and falls back to the other officer or the generic inbox.
ALTER TABLE link_officers
  ADD COLUMN failing_since timestamptz,
  ADD COLUMN bounce_status text;
CREATE INDEX link_officers_failing_idx ON link_officers (authority_id) WHERE failing_since IS NOT NULL;

-- Raw mail and attachments are mostly base64 or already compressed: store them out of line without
-- trying to compress them again (which costs the server CPU and saves little).
ALTER TABLE inbound_messages ALTER COLUMN raw_message SET STORAGE EXTERNAL;
ALTER TABLE outbox_attachments ALTER COLUMN content SET STORAGE EXTERNAL;
