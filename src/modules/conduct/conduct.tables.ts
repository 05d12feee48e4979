import type { ColumnType, Generated } from 'kysely';

/** The conduct module's tables (migrations 0084 and 0092): warnings, restrictions, reviews, letters and contacts. */

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type NullableTimestamp = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
type CalendarDate = ColumnType<string, string, string>;
type NullableCalendarDate = ColumnType<string | null, string | null | undefined, string | null>;
type TextList = ColumnType<string[], string[] | undefined, string[]>;

export type ConductKind = 'warning' | 'restriction';
export type ConductStatus = 'active' | 'lifted';

export interface ConductRecordsTable {
  id: Generated<string>;
  person_id: string;
  kind: ConductKind;
  reason: string;
  channels: TextList;
  named_officer_id: string | null;
  call_times: string | null;
  max_call_minutes: number | null;
  written_only: Generated<boolean>;
  weekly_contact_cap: number | null;
  settled_complaint_id: string | null;
  staff_safety_risk: Generated<boolean>;
  /** The authority is told (in the portal) that contact goes through the named officer (0092). */
  tell_authority: Generated<boolean>;
  no_warning_reason: string | null;
  starts_on: CalendarDate;
  review_on: CalendarDate;
  status: Generated<ConductStatus>;
  lifted_at: NullableTimestamp;
  reminded_at: NullableTimestamp;
  recorded_by: string | null;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface ConductReviewsTable {
  id: Generated<string>;
  record_id: string;
  outcome: 'extend' | 'vary' | 'lift';
  reason: string;
  previous_review_on: CalendarDate;
  review_on: NullableCalendarDate;
  terms_before: string | null;
  reviewed_by: string | null;
  reviewed_at: Timestamp;
}

export interface ConductLettersTable {
  id: Generated<string>;
  record_id: string;
  review_id: string | null;
  subject: string;
  body: string;
  item_id: string | null;
  created_at: Timestamp;
}

export interface ConductLetterCasesTable {
  letter_id: string;
  complaint_id: string;
}

export interface ConductContactsTable {
  id: Generated<string>;
  person_id: string;
  record_id: string;
  complaint_id: string | null;
  channel: 'post' | 'email' | 'phone' | 'portal';
  item_id: string | null;
  /** The call it was (0092). */
  call_id: Generated<string | null>;
  flags: TextList;
  received_at: Timestamp;
}

/** A phone call with a person, logged by staff (0092). */
export interface ConductCallsTable {
  id: Generated<string>;
  person_id: string;
  complaint_id: string | null;
  called_at: Timestamp;
  minutes: number;
  officer_id: string;
  note: Generated<string>;
  logged_by: string | null;
  created_at: Timestamp;
}

declare module '../../platform/db/schema.ts' {
  interface Database {
    conduct_records: ConductRecordsTable;
    conduct_reviews: ConductReviewsTable;
    conduct_letters: ConductLettersTable;
    conduct_letter_cases: ConductLetterCasesTable;
    conduct_contacts: ConductContactsTable;
    conduct_calls: ConductCallsTable;
  }
}
