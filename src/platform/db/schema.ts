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
  created_at: Timestamp;
  updated_at: Timestamp;
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
}

export interface Database {
  authorities: AuthoritiesTable;
  users: UsersTable;
  user_roles: UserRolesTable;
  sessions: SessionsTable;
  one_time_tokens: OneTimeTokensTable;
  signin_failures: SigninFailuresTable;
  api_tokens: ApiTokensTable;
  audit_events: AuditEventsTable;
  outbox_messages: OutboxMessagesTable;
}

export type Row<T extends keyof Database> = Selectable<Database[T]>;
export type NewRow<T extends keyof Database> = Insertable<Database[T]>;
export type RowUpdate<T extends keyof Database> = Updateable<Database[T]>;
