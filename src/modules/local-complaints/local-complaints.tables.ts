import type { ColumnType, Generated } from 'kysely';

/** The local complaints module's tables (migration 0086). */

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type NullableTimestamp = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
type CalendarDate = ColumnType<string, string, string>;
type NullableCalendarDate = ColumnType<string | null, string | null | undefined, string | null>;
type Json<T> = ColumnType<T, string | undefined, string>;

export interface LocalComplaintsTable {
  id: Generated<string>;
  authority_id: string;
  reference: string;
  received_on: CalendarDate;
  service_area: string;
  channel: string;
  complainant_name: string;
  complainant_email: string | null;
  complainant_phone: string | null;
  email_key: ColumnType<string | null, never, never>;
  phone_key: ColumnType<string | null, never, never>;
  name_key: ColumnType<string, never, never>;
  summary: string;
  statutory_route: string | null;
  stage: Generated<number>;
  next_due_on: NullableCalendarDate;
  closed_on: NullableCalendarDate;
  complaint_id: ColumnType<string | null, string | null | undefined, string | null>;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface LocalComplaintStagesTable {
  local_complaint_id: string;
  stage: number;
  handler: string | null;
  opened_on: CalendarDate;
  acknowledged_on: NullableCalendarDate;
  extension_working_days: number | null;
  extension_reason: string | null;
  extended_on: NullableCalendarDate;
  responded_on: NullableCalendarDate;
  outcome: string | null;
  told_of_ombudsman: boolean | null;
  acknowledge_by: CalendarDate;
  respond_by: CalendarDate;
}

export interface LocalComplaintEventsTable {
  id: Generated<string>;
  local_complaint_id: string;
  stage: number;
  type: string;
  happened_on: CalendarDate;
  detail: string | null;
  recorded_by_type: 'user' | 'token' | 'import';
  recorded_at: Timestamp;
}

export interface LocalComplaintSettingsTable {
  authority_id: string;
  column_mapping: Json<Record<string, string>>;
  retention_years: Generated<number>;
  self_assessment: Json<Record<string, string>>;
  updated_at: Timestamp;
}

export interface LocalComplaintImportsTable {
  id: Generated<string>;
  authority_id: string;
  created_by: string | null;
  file_name: string;
  status: Generated<'checked' | 'saving' | 'succeeded' | 'failed'>;
  total_rows: number;
  processed_rows: Generated<number>;
  to_create: Generated<number>;
  to_update: Generated<number>;
  unchanged: Generated<number>;
  refused: Generated<number>;
  rows: ColumnType<unknown, string | null | undefined, string | null>;
  refusals: Json<{ line: number; reference: string; problems: string[] }[]>;
  created_at: Timestamp;
  finished_at: NullableTimestamp;
}

declare module '../../platform/db/schema.ts' {
  interface Database {
    local_complaints: LocalComplaintsTable;
    local_complaint_stages: LocalComplaintStagesTable;
    local_complaint_events: LocalComplaintEventsTable;
    local_complaint_settings: LocalComplaintSettingsTable;
    local_complaint_imports: LocalComplaintImportsTable;
  }
}
