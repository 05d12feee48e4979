import type { ColumnType, Generated, Insertable, Selectable, Updateable } from 'kysely';

/**
 * Table types for Kysely. One interface per table, grouped by the module that owns it; the
 * `Database` interface at the bottom joins them. Migrations in /migrations are the source of truth.
 */

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type NullableTimestamp = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
type Json = ColumnType<
  Record<string, unknown>,
  string | Record<string, unknown> | undefined,
  string | Record<string, unknown>
>;

export interface AuthoritiesTable {
  id: Generated<string>;
  name: string;
  kind: string;
  reference: string | null;
  active: Generated<boolean>;
  address: string | null;
  region: string | null;
  generic_inbox: string | null;
  closed_at: NullableTimestamp;
  /** Generated from the name and reference: never written. */
  search_words: ColumnType<string, never, never>;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface SeniorOfficersTable {
  id: Generated<string>;
  authority_id: string;
  role: 'chief-executive' | 'monitoring-officer' | 'head-of-service';
  service_area: string | null;
  title: string | null;
  name: string;
  job_title: string;
  email: string;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface AuthorityImportsTable {
  id: Generated<string>;
  created_by: string | null;
  file_name: string;
  status: Generated<'checking' | 'saving' | 'succeeded' | 'failed'>;
  total_rows: number;
  processed_rows: Generated<number>;
  created_count: Generated<number>;
  updated_count: Generated<number>;
  errors: ColumnType<{ row: number; column: string; message: string }[], string | undefined, string>;
  failure: string | null;
  created_at: Timestamp;
  updated_at: Timestamp;
  finished_at: NullableTimestamp;
}

export interface AuthorityImportRowsTable {
  import_id: string;
  row_number: number;
  name: string;
  kind: string;
  reference: string;
  address: string | null;
  region: string | null;
  generic_inbox: string | null;
  ce_title: string | null;
  ce_name: string;
  ce_job_title: string;
  ce_email: string;
  mo_title: string | null;
  mo_name: string | null;
  mo_job_title: string | null;
  mo_email: string | null;
}

export interface UsersTable {
  id: Generated<string>;
  email: string;
  display_name: string;
  authority_id: string | null;
  password_hash: string | null;
  totp_secret: string | null;
  totp_enabled_at: NullableTimestamp;
  status: Generated<'invited' | 'active' | 'deactivated'>;
  failed_signins: Generated<number>;
  locked_until: NullableTimestamp;
  last_signed_in_at: NullableTimestamp;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface UserRolesTable {
  user_id: string;
  role: string;
}

export interface SessionsTable {
  id: Generated<string>;
  token_hash: string;
  user_id: string;
  stage: 'mfa' | 'mfa-setup' | 'active';
  created_at: Timestamp;
  last_seen_at: Timestamp;
  expires_at: Timestamp;
  revoked_at: NullableTimestamp;
}

export interface OneTimeTokensTable {
  token_hash: string;
  user_id: string;
  purpose: 'invitation' | 'password-reset' | 'first-administrator';
  expires_at: Timestamp;
  used_at: NullableTimestamp;
  created_at: Timestamp;
}

export interface SigninFailuresTable {
  ip_hash: string;
  failed_at: Timestamp;
}

export interface ApiTokensTable {
  id: Generated<string>;
  token_hash: string;
  name: string;
  role: string;
  authority_id: string | null;
  created_by: string | null;
  created_at: Timestamp;
  last_used_at: NullableTimestamp;
  revoked_at: NullableTimestamp;
}

export interface AuditEventsTable {
  id: Generated<string>;
  occurred_at: Timestamp;
  actor_type: 'user' | 'token' | 'system';
  actor_id: string | null;
  actor_role: string | null;
  action: string;
  record_type: string;
  record_id: string | null;
  authority_id: string | null;
  request_id: string | null;
}

export interface OutboxMessagesTable {
  id: Generated<string>;
  idempotency_key: string;
  kind: string;
  to_address: string;
  subject: string;
  text_body: string;
  html_body: string | null;
  headers: Json;
  status: Generated<'queued' | 'sending' | 'sent' | 'held' | 'failed'>;
  attempts: Generated<number>;
  last_error: string | null;
  smtp_response: string | null;
  created_at: Timestamp;
  sent_at: NullableTimestamp;
  next_attempt_at: NullableTimestamp;
}

export interface InboundMessagesTable {
  id: Generated<string>;
  received_at: Timestamp;
  envelope_from: string | null;
  envelope_to: string[];
  from_address: string | null;
  to_addresses: string | null;
  subject: string | null;
  message_id: string | null;
  in_reply_to: string | null;
  message_references: ColumnType<string[], string[] | undefined, string[]>;
  text_body: string | null;
  html_body: string | null;
  raw_size: number;
  raw_message: Buffer;
  status: Generated<'unfiled' | 'filed'>;
}

export interface LinkOfficersTable {
  id: Generated<string>;
  authority_id: string;
  slot: 1 | 2;
  title: string;
  forename: string;
  surname: string;
  job_title: string;
  email: string;
  correspondence_email: string | null;
  phone: string;
  user_id: string | null;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface LinkOfficerCoversTable {
  id: Generated<string>;
  authority_id: string;
  link_officer_id: string;
  /** London calendar dates, 'YYYY-MM-DD', inclusive. */
  starts_on: string;
  ends_on: string;
  cover_user_id: string | null;
  cover_officer_id: string | null;
  created_at: Timestamp;
}

export interface LinkOfficerChangeRequestsTable {
  id: Generated<string>;
  authority_id: string;
  replaces_slot: 1 | 2 | null;
  title: string;
  forename: string;
  surname: string;
  job_title: string;
  email: string;
  correspondence_email: string | null;
  phone: string;
  requester_name: string;
  requester_email: string;
  requester_user_id: string | null;
  status: 'awaiting-confirmation' | 'pending';
  confirmation_token_hash: string | null;
  confirmation_expires_at: NullableTimestamp;
  created_at: Timestamp;
  confirmed_at: NullableTimestamp;
}

/** A view: the current link officers, who receive the newsletter by virtue of the role. */
export interface NewsletterRoleSubscribersView {
  link_officer_id: string;
  authority_id: string;
  email: string;
  forename: string;
  surname: string;
}

export interface Database {
  authorities: AuthoritiesTable;
  senior_officers: SeniorOfficersTable;
  authority_imports: AuthorityImportsTable;
  authority_import_rows: AuthorityImportRowsTable;
  users: UsersTable;
  user_roles: UserRolesTable;
  sessions: SessionsTable;
  one_time_tokens: OneTimeTokensTable;
  signin_failures: SigninFailuresTable;
  api_tokens: ApiTokensTable;
  audit_events: AuditEventsTable;
  outbox_messages: OutboxMessagesTable;
  inbound_messages: InboundMessagesTable;
  link_officers: LinkOfficersTable;
  link_officer_covers: LinkOfficerCoversTable;
  link_officer_change_requests: LinkOfficerChangeRequestsTable;
  newsletter_role_subscribers: NewsletterRoleSubscribersView;
}

export type Row<T extends keyof Database> = Selectable<Database[T]>;
export type NewRow<T extends keyof Database> = Insertable<Database[T]>;
export type RowUpdate<T extends keyof Database> = Updateable<Database[T]>;
