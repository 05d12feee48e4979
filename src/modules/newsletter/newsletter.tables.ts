import type { ColumnType, Generated } from 'kysely';

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type NullableTimestamp = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
type TextArray = ColumnType<string[], string[] | undefined, string[]>;

export type SubscriberStatus = 'pending' | 'confirmed';
export type IssueStatus = 'draft' | 'scheduled' | 'sending' | 'paused' | 'sent';

export interface NewsletterSubscribersTable {
  id: Generated<string>;
  email: string;
  email_key: string;
  name: string | null;
  organisation: string | null;
  topics: TextArray;
  status: SubscriberStatus;
  confirm_token_hash: string | null;
  confirm_expires_at: NullableTimestamp;
  created_at: Timestamp;
  confirmed_at: NullableTimestamp;
}

export interface NewsletterSuppressionsTable {
  email_key: string;
  reason: 'unsubscribed' | 'bounced';
  created_at: Timestamp;
}

export interface NewsletterIssuesTable {
  id: Generated<string>;
  slug: string;
  subject: string;
  preheader: Generated<string>;
  body: string;
  topics: TextArray;
  status: ColumnType<IssueStatus, IssueStatus | undefined, IssueStatus>;
  scheduled_for: NullableTimestamp;
  recipients: Generated<number>;
  /** Deliveries written to the outbox, counted by the fan-out as it writes them. */
  deliveries_queued: Generated<number>;
  /** Of those, deliveries whose outcome has been copied from the outbox, counted as it is copied. */
  deliveries_settled: Generated<number>;
  send_started_at: NullableTimestamp;
  sent_at: NullableTimestamp;
  created_by: string | null;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface NewsletterDeliveriesTable {
  id: Generated<string>;
  issue_id: string;
  email_key: string;
  address: string | null;
  source: 'link-officer' | 'subscriber';
  authority_kind: string | null;
  outbox_message_id: string | null;
  queued_at: NullableTimestamp;
  /** Copied from the outbox row once settled (`unknown` counts as failed); null until then. */
  outcome: 'sent' | 'failed' | null;
}

declare module '../../platform/db/schema.ts' {
  interface Database {
    newsletter_subscribers: NewsletterSubscribersTable;
    newsletter_suppressions: NewsletterSuppressionsTable;
    newsletter_issues: NewsletterIssuesTable;
    newsletter_deliveries: NewsletterDeliveriesTable;
  }
}
