import type { ColumnType, Generated } from 'kysely';

type Timestamp = ColumnType<Date, Date | string, Date | string>;
type NullableTimestamp = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;

export interface AnnualReviewTemplatesTable {
  year: number;
  body: string;
  updated_by: string | null;
  updated_at: Timestamp;
}

export interface AnnualReviewRunsTable {
  id: Generated<string>;
  year: number;
  kind: 'generate' | 'send';
  authority_ids: string[] | null;
  total: number;
  done: Generated<number>;
  resend: Generated<boolean>;
  skipped: ColumnType<{ authorityId: string; name: string; reason: string }[], string | undefined, string>;
  created_by: string | null;
  created_at: Timestamp;
  finished_at: NullableTimestamp;
}

export interface AnnualReviewLettersTable {
  id: Generated<string>;
  year: number;
  authority_id: string;
  body: string;
  generated_at: Timestamp;
  edited_by: ColumnType<string | null, string | null | undefined, string | null>;
  edited_at: NullableTimestamp;
  sends: Generated<number>;
  sent_at: NullableTimestamp;
  last_send_run_id: ColumnType<string | null, string | null | undefined, string | null>;
}

export interface AnnualReviewRecipientsTable {
  id: Generated<string>;
  letter_id: string;
  authority_id: string;
  send_number: number;
  role: 'chief-executive' | 'link-officer' | 'monitoring-officer' | 'leader' | 'scrutiny-chair';
  copy: boolean;
  name: string;
  email: string;
  outbox_message_id: string | null;
  created_at: Timestamp;
}

declare module '../../platform/db/schema.ts' {
  interface Database {
    annual_review_templates: AnnualReviewTemplatesTable;
    annual_review_runs: AnnualReviewRunsTable;
    annual_review_letters: AnnualReviewLettersTable;
    annual_review_recipients: AnnualReviewRecipientsTable;
  }
}
