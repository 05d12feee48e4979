-- The Ombudsman Link newsletter. Link officers receive it by virtue of the role (the
-- newsletter_role_subscribers view, read when an issue is sent); anyone else subscribes here.

-- Subscribers on the public site: pending until the emailed link is opened (then confirmed); a
-- pending request is deleted after 7 days. `email_key` is the address's key (see domain.ts), shared
-- with suppressions and deliveries so an address is known without keeping it twice.
CREATE TABLE newsletter_subscribers (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  email text NOT NULL,
  email_key text NOT NULL UNIQUE,
  name text,
  organisation text,
  topics text[] NOT NULL DEFAULT '{}',
  status text NOT NULL CHECK (status IN ('pending', 'confirmed')),
  confirm_token_hash text UNIQUE,
  confirm_expires_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  confirmed_at timestamptz
);
CREATE INDEX newsletter_subscribers_pending_idx ON newsletter_subscribers (created_at) WHERE status = 'pending';

-- Addresses that asked to receive nothing more (or whose mail bounces for good), by key only.
CREATE TABLE newsletter_suppressions (
  email_key text PRIMARY KEY,
  reason text NOT NULL CHECK (reason IN ('unsubscribed', 'bounced')),
  created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE newsletter_issues (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  slug text NOT NULL UNIQUE,
  subject text NOT NULL,
  preheader text NOT NULL DEFAULT '',
  body text NOT NULL,
  topics text[] NOT NULL DEFAULT '{}',
  status text NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'scheduled', 'sending', 'paused', 'sent')),
  scheduled_for timestamptz,
  recipients integer NOT NULL DEFAULT 0,
  send_started_at timestamptz,
  sent_at timestamptz,
  created_by uuid REFERENCES users (id) ON DELETE SET NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX newsletter_issues_status_idx ON newsletter_issues (status);
CREATE INDEX newsletter_issues_sent_idx ON newsletter_issues (sent_at DESC, id) WHERE status = 'sent';

-- One row per issue and recipient, written when the issue is sent. The address is held only until
-- its message is written to the outbox (then the outbox row is the delivery's ledger).
CREATE TABLE newsletter_deliveries (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  issue_id uuid NOT NULL REFERENCES newsletter_issues (id) ON DELETE CASCADE,
  email_key text NOT NULL,
  address text,
  source text NOT NULL CHECK (source IN ('link-officer', 'subscriber')),
  authority_kind text,
  outbox_message_id uuid,
  queued_at timestamptz,
  UNIQUE (issue_id, email_key)
);
CREATE INDEX newsletter_deliveries_pending_idx ON newsletter_deliveries (issue_id) WHERE queued_at IS NULL;
CREATE INDEX newsletter_deliveries_outbox_idx ON newsletter_deliveries (outbox_message_id);
