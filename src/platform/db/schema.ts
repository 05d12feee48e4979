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
  /** Set by a permanent delivery failure to the generic inbox; cleared when the address changes. */
  generic_inbox_failing_since: NullableTimestamp;
  generic_inbox_bounce_status: string | null;
  closed_at: NullableTimestamp;
  /** Generated from the name and reference: never written. */
  search_words: ColumnType<string, never, never>;
  /** lower(name), kept by the database: the directory's order. */
  sort_name: ColumnType<string, never, never>;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface SeniorOfficersTable {
  id: Generated<string>;
  authority_id: string;
  role: 'chief-executive' | 'monitoring-officer' | 'head-of-service' | 'leader' | 'scrutiny-chair';
  service_area: string | null;
  title: string | null;
  name: string;
  job_title: string;
  email: string;
  /** Set by a permanent delivery failure to the address; cleared when the address changes. */
  failing_since: NullableTimestamp;
  bounce_status: string | null;
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
  /** True reopens the authority, false closes it, null leaves it as it is. */
  active: boolean | null;
  /** Heads of service by service area, as JSON text (see migration 0051). */
  heads: string | null;
}

export interface UsersTable {
  id: Generated<string>;
  email: string;
  display_name: string;
  authority_id: string | null;
  password_hash: string | null;
  /** Encrypted (see accounts/totp-secrets.ts), never the secret itself. */
  totp_secret: string | null;
  totp_enabled_at: NullableTimestamp;
  /** The step of the last two-factor code accepted (migration 0059). */
  totp_last_step: number | null;
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

/** Sign-in attempts per client address within a window (migration 0058). */
export interface SigninFailuresTable {
  ip_hash: string;
  attempts: number;
  window_started_at: Timestamp;
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
  status: Generated<'queued' | 'sending' | 'sent' | 'held' | 'failed' | 'unknown'>;
  attempts: Generated<number>;
  last_error: string | null;
  smtp_response: string | null;
  created_at: Timestamp;
  sent_at: NullableTimestamp;
  next_attempt_at: NullableTimestamp;
  /** When the message was handed to the relay on its latest attempt. */
  transmit_started_at: NullableTimestamp;
  /** When an administrator queued a message of unknown delivery to be sent again, and who. */
  resent_at: NullableTimestamp;
  resent_by: string | null;
  /** One of a mailing to many: claimed after every message to one person. */
  bulk: Generated<boolean>;
}

export interface OutboxAttachmentsTable {
  id: Generated<string>;
  outbox_message_id: string;
  filename: string;
  content_type: string;
  content: Buffer;
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
  /** The message's source file in the mail folder (see RawMailStore); null for messages stored before. */
  raw_key: string | null;
  /** The source of messages stored before files were used; null since. */
  raw_message: Buffer | null;
  status: Generated<'unfiled' | 'filed' | 'held' | 'discarded' | 'bounce'>;
  thread_id: string | null;
  hold_reason: string | null;
  auto_reply_reason: string | null;
  processed_at: NullableTimestamp;
  decided_by: string | null;
  decided_at: NullableTimestamp;
  discard_reason: string | null;
  /** Why a message held as `unreadable` could not be read (a few plain words). */
  unreadable_reason: string | null;
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
  /** Set while the officer's correspondence address bounces permanently (correspondence module). */
  failing_since: NullableTimestamp;
  bounce_status: string | null;
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

export type ComplaintStatus = 'received' | 'intake' | 'assessment' | 'investigation' | 'decision' | 'remedy' | 'closed';
export type ComplaintOutcome =
  | 'premature'
  | 'invalid'
  | 'out-of-jurisdiction'
  | 'not-investigated'
  | 'closed-after-initial-enquiries'
  | 'upheld-injustice'
  | 'upheld-no-injustice'
  | 'not-upheld'
  | 'remedied-by-authority'
  | 'withdrawn';
/** London calendar date, 'YYYY-MM-DD' (PostgreSQL `date`). */
type CalendarDate = ColumnType<string, string, string>;
type NullableCalendarDate = ColumnType<string | null, string | null | undefined, string | null>;

export interface ComplaintReferenceCountersTable {
  year: number;
  last_number: number;
}

export interface ComplaintsTable {
  id: Generated<string>;
  reference: string;
  authority_id: string;
  service_area: string;
  status: Generated<ComplaintStatus>;
  channel: 'online' | 'phone' | 'letter' | 'email' | 'api';
  summary: string;
  injustice: string | null;
  outcome_wanted: string | null;
  authority_process_finished: boolean;
  authority_final_response_on: NullableCalendarDate;
  authority_complained_on: NullableCalendarDate;
  aware_on: NullableCalendarDate;
  urgent_street_homelessness: Generated<boolean>;
  urgent_care_home_eviction: Generated<boolean>;
  urgent_serious_risk: Generated<boolean>;
  urgent_domestic_abuse: Generated<boolean>;
  /** Generated from the urgent flags: never written. */
  urgent: ColumnType<boolean, never, never>;
  premature: Generated<boolean>;
  late: Generated<boolean>;
  late_reason: string | null;
  investigator_id: string | null;
  outcome: ComplaintOutcome | null;
  outcome_reason: string | null;
  received_at: Timestamp;
  assessment_started_at: NullableTimestamp;
  closed_at: NullableTimestamp;
  /** The case this one was opened from (a remedy not complied with). */
  linked_from_complaint_id: Generated<string | null>;
  created_by: string | null;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface ComplaintPartiesTable {
  id: Generated<string>;
  complaint_id: string;
  authority_id: string;
  role: 'complainant' | 'representative';
  name: string;
  email: string | null;
  phone: string | null;
  address: string | null;
  communication_needs: string | null;
  consent_to_share: Generated<boolean>;
  relationship: string | null;
  created_at: Timestamp;
  updated_at: Timestamp;
}

/** What made a status change: a person, an API token, the system (a job) or the public complaint form. */
export type StatusActorType = 'user' | 'token' | 'system' | 'public-form';

export interface ComplaintStatusHistoryTable {
  id: Generated<string>;
  complaint_id: string;
  authority_id: string;
  from_status: ComplaintStatus | null;
  to_status: ComplaintStatus;
  outcome: ComplaintOutcome | null;
  reason: string | null;
  /** The person who made the change (changed_by_type 'user'). */
  changed_by: string | null;
  /** What made the change; null on rows written before it was recorded (a person, or nobody recorded). */
  changed_by_type: StatusActorType | null;
  /** The API token that made the change (changed_by_type 'token'). */
  changed_by_token: string | null;
  changed_at: Timestamp;
  /** Ties between equal timestamps: the order the changes were made in. Never written. */
  seq: ColumnType<number, never, never>;
}

export interface DocumentsTable {
  id: Generated<string>;
  complaint_id: string | null;
  authority_id: string | null;
  filename: string;
  content_type: string;
  size: number;
  sha256: string;
  do_not_disclose: Generated<boolean>;
  storage_key: string;
  description: string | null;
  uploaded_by: string | null;
  uploaded_at: Timestamp;
}

export interface ComplaintDocumentRequestsTable {
  id: Generated<string>;
  complaint_id: string;
  authority_id: string;
  description: string;
  due_on: CalendarDate;
  requested_by: string | null;
  requested_at: Timestamp;
}

export interface ComplaintDraftsTable {
  token_hash: string;
  answers: Json;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface EnquiriesTable {
  id: Generated<string>;
  complaint_id: string;
  authority_id: string;
  kind: 'enquiry' | 'document-request';
  number: number;
  statement_of_complaint: string | null;
  documents_requested: string | null;
  addressed_to_name: string;
  addressed_to_job_title: string | null;
  status: Generated<'open' | 'responded' | 'closed'>;
  sent_by: string | null;
  sent_at: Timestamp;
  sent_on: ColumnType<string, string, string>;
  due_on: ColumnType<string, string, string>;
  due_working_days: number;
  due_rule: Json;
  responded_at: NullableTimestamp;
  responded_by: string | null;
  responded_on_time: boolean | null;
  closed_at: NullableTimestamp;
  closed_reason: string | null;
}

export interface EnquiryQuestionsTable {
  id: Generated<string>;
  enquiry_id: string;
  authority_id: string;
  position: number;
  text: string;
  answer: string | null;
  answer_state: Generated<'none' | 'draft' | 'awaiting-review' | 'ready'>;
  answered_by: string | null;
  answered_at: NullableTimestamp;
}

export interface EnquiryAnswerDocumentsTable {
  question_id: string;
  document_id: string;
  authority_id: string;
}

export interface AllocationNoticesTable {
  id: Generated<string>;
  complaint_id: string;
  authority_id: string;
  addressed_to_name: string;
  sent_at: Timestamp;
}

export interface EnquiryRecipientsTable {
  id: Generated<string>;
  enquiry_id: string | null;
  notice_id: string | null;
  authority_id: string;
  position: number;
  email: string;
  recipient_as: 'link-officer' | 'cover' | 'generic-inbox' | 'chief-executive';
  link_officer_id: string | null;
}

export interface EnquiryDueDatesTable {
  id: Generated<string>;
  enquiry_id: string;
  authority_id: string;
  due_on: ColumnType<string, string, string>;
  rule: Json;
  reason: 'sent' | 'extension';
  extension_request_id: string | null;
  set_by: string | null;
  set_at: Timestamp;
}

export interface EnquiryExtensionRequestsTable {
  id: Generated<string>;
  enquiry_id: string;
  authority_id: string;
  reason: string;
  requested_by: string | null;
  requested_by_token: string | null;
  requested_at: Timestamp;
  status: Generated<'pending' | 'granted' | 'refused'>;
  decided_by: string | null;
  decided_at: NullableTimestamp;
  decision_reason: string | null;
  previous_due_on: ColumnType<string, string, string>;
  new_due_on: ColumnType<string | null, string | null | undefined, string | null>;
}

export interface EnquiryRemindersTable {
  id: Generated<string>;
  enquiry_id: string;
  authority_id: string;
  kind: 'before-due' | 'due-today' | 'overdue' | 'escalated-chief-executive';
  due_on: ColumnType<string, string, string>;
  sent_at: Timestamp;
}

export interface EnquiryDelegationsTable {
  id: Generated<string>;
  enquiry_id: string;
  question_id: string | null;
  authority_id: string;
  delegate_user_id: string;
  assigned_by: string | null;
  internal_due_on: ColumnType<string, string, string>;
  created_at: Timestamp;
  completed_at: NullableTimestamp;
  completed_on_time: boolean | null;
  /** When the task ended unfinished with its enquiry (answered or closed without it). */
  ended_at: NullableTimestamp;
}

export interface AuthorityEnquirySettingsTable {
  authority_id: string;
  delegate_submission: 'direct' | 'review';
  updated_at: Timestamp;
}

export interface CorrespondenceThreadsTable {
  id: Generated<string>;
  complaint_id: string;
  authority_id: string;
  audience: 'authority' | 'complainant';
  reply_token: string;
  created_at: Timestamp;
}

export interface CorrespondenceItemsTable {
  id: Generated<string>;
  thread_id: string;
  complaint_id: string;
  authority_id: string;
  direction: 'outbound' | 'inbound';
  kind: string;
  addressees: ColumnType<string[], string[] | undefined, string[]>;
  is_letter: Generated<boolean>;
  subject: string;
  text_body: string;
  html_body: string | null;
  from_address: string | null;
  /** An inbound message's sender's role when it was filed (`RECIPIENT_ROLE_NAMES`, `delegate`, …); null if unknown. */
  sender_role: ColumnType<string | null, string | null | undefined, string | null>;
  /** An inbound message's sender's name when it was filed (the authority's people only); null otherwise. */
  sender_name: ColumnType<string | null, string | null | undefined, string | null>;
  message_id: string | null;
  inbound_message_id: string | null;
  auto_reply_reason: string | null;
  counts_as_response: Generated<boolean>;
  dispatched_at: NullableTimestamp;
  created_by: string | null;
  created_at: Timestamp;
}

export interface CorrespondenceDeliveriesTable {
  id: Generated<string>;
  item_id: string;
  authority_id: string;
  recipient_role:
    | 'link-officer'
    | 'cover'
    | 'generic-inbox'
    | 'chief-executive'
    | 'monitoring-officer'
    | 'head-of-service'
    | 'complainant'
    | 'representative';
  link_officer_id: string | null;
  address: string;
  outbox_message_id: string | null;
  deferred_at: NullableTimestamp;
  bounced_at: NullableTimestamp;
  bounce_status: string | null;
  bounce_diagnostic: string | null;
  fallback_for: string | null;
  opened_at: NullableTimestamp;
  created_at: Timestamp;
}

export interface CorrespondenceAttachmentsTable {
  id: Generated<string>;
  item_id: string;
  document_id: string | null;
  filename: string;
  content_type: string;
  size: number;
  rejected_reason: string | null;
}

// Decisions (0041) ------------------------------------------------------------------------------

type JsonList = ColumnType<unknown[], string | unknown[] | undefined, string | unknown[]>;
type DraftForm = 'decision' | 'report';
type FinalOutcomeId =
  | 'upheld-injustice'
  | 'upheld-no-injustice'
  | 'not-upheld'
  | 'remedied-by-authority'
  | 'closed-after-initial-enquiries';

export interface DraftDecisionsTable {
  id: Generated<string>;
  complaint_id: string;
  authority_id: string;
  form: DraftForm;
  version: number;
  complaint_text: string;
  findings_text: string;
  proposed_remedy_text: string;
  decision_text: string;
  remedies: JsonList;
  issued_by: string | null;
  issued_at: Timestamp;
  issued_on: CalendarDate;
  comment_due_on: CalendarDate;
  comment_due_rule: Json;
  complainant_token_hash: string;
  superseded_at: NullableTimestamp;
}

export interface DraftDecisionEvidenceTable {
  draft_id: string;
  document_id: string;
  position: number;
}

export interface DraftCommentsTable {
  id: Generated<string>;
  draft_id: string;
  complaint_id: string;
  authority_id: string;
  party: 'complainant' | 'authority';
  channel: 'portal' | 'complainant-link' | 'email' | 'staff' | 'api';
  no_comments: Generated<boolean>;
  text: string | null;
  received_at: Timestamp;
  received_on: CalendarDate;
  late: boolean;
  entered_by: string | null;
}

export interface DraftDisclosuresTable {
  id: Generated<string>;
  draft_id: string;
  complaint_id: string;
  authority_id: string;
  shown_to: string;
  shown_on: CalendarDate;
  with_evidence: boolean;
  recorded_by: string | null;
  recorded_at: Timestamp;
}

export interface FinalDecisionsTable {
  id: Generated<string>;
  complaint_id: string;
  authority_id: string;
  form: DraftForm;
  draft_id: string | null;
  outcome: FinalOutcomeId;
  statement: string;
  decided_by: string | null;
  decided_at: Timestamp;
  decided_on: CalendarDate;
  review_due_on: CalendarDate;
  complainant_token_hash: string;
  /** Why it was issued before the draft's comment deadline (null when issued once comments were due). */
  early_reason: ColumnType<string | null, string | null | undefined, string | null>;
}

export interface DecisionReviewsTable {
  id: Generated<string>;
  final_decision_id: string;
  complaint_id: string;
  authority_id: string;
  channel: 'complainant-link' | 'staff';
  grounds: string;
  requested_at: Timestamp;
  requested_on: CalendarDate;
  entered_by: string | null;
  result: 'decision-stands' | 'decision-changed' | null;
  new_outcome: FinalOutcomeId | null;
  result_reason: string | null;
  decided_by: string | null;
  decided_at: NullableTimestamp;
}

// Remedies ---------------------------------------------------------------------------------------

export type RemedyTypeId = 'apology' | 'financial' | 'other-action' | 'service-improvement';
export type RemedyStatus = 'proposed' | 'superseded' | 'withdrawn' | 'agreed' | 'complied' | 'not-satisfied';

export interface RemediesTable {
  id: Generated<string>;
  complaint_id: string;
  authority_id: string;
  draft_id: string;
  draft_version: number;
  position: number;
  type: RemedyTypeId;
  description: string;
  amount_pence: number | null;
  proposed_working_days: number | null;
  proposed_due_on: NullableCalendarDate;
  status: Generated<RemedyStatus>;
  proposed_at: Timestamp;
  agreed_at: NullableTimestamp;
  due_on: NullableCalendarDate;
  due_rule: ColumnType<Record<string, unknown> | null, string | null | undefined, string | null>;
  agreed_due_on: NullableCalendarDate;
  complied_at: NullableTimestamp;
  complied_on: NullableCalendarDate;
  complied_on_time: boolean | null;
  escalated_at: NullableTimestamp;
  closed_at: NullableTimestamp;
  linked_complaint_id: string | null;
}

export interface RemedyEvidenceTable {
  id: Generated<string>;
  remedy_id: string;
  complaint_id: string;
  authority_id: string;
  description: string;
  document_id: string | null;
  submitted_by: string | null;
  submitted_by_token: string | null;
  submitted_at: Timestamp;
  submitted_on: CalendarDate;
  late: boolean;
  status: Generated<'submitted' | 'accepted' | 'returned'>;
  reviewed_by: string | null;
  reviewed_at: NullableTimestamp;
  review_reason: string | null;
}

export type RemedyActionId =
  'wrote-to-chief-executive' | 'more-time' | 'case-conference' | 'consider-public-report' | 'not-satisfied';

export interface RemedyActionsTable {
  id: Generated<string>;
  remedy_id: string;
  complaint_id: string;
  authority_id: string;
  action: RemedyActionId;
  note: string;
  previous_due_on: NullableCalendarDate;
  new_due_on: NullableCalendarDate;
  linked_complaint_id: string | null;
  taken_by: string | null;
  taken_at: Timestamp;
}

export interface RemedyRemindersTable {
  id: Generated<string>;
  remedy_id: string;
  authority_id: string;
  kind: 'before-due' | 'overdue' | 'escalated-manager';
  due_on: CalendarDate;
  sent_at: Timestamp;
}

export interface PublicReportsTable {
  id: Generated<string>;
  complaint_id: string;
  authority_id: string;
  status: 'draft' | 'final' | 'satisfied';
  criteria: string[];
  draft_id: string | null;
  comment_due_on: ColumnType<string, string, string>;
  draft_issued_on: ColumnType<string, string, string>;
  final_decision_id: string | null;
  final_issued_on: ColumnType<string | null, string | null | undefined, string | null>;
  round: Generated<number>;
  satisfied_on: ColumnType<string | null, string | null | undefined, string | null>;
  satisfaction_text: string | null;
  proposed_by: string | null;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface PublicReportAlertsTable {
  id: Generated<string>;
  report_id: string;
  authority_id: string;
  occasion: 'draft' | 'final' | 'further';
  round: number;
  role: 'chief-executive' | 'monitoring-officer' | 'head-of-service';
  officer_name: string;
  email: string;
  fallback: Generated<boolean>;
  correspondence_item_id: string | null;
  portal_user_id: string | null;
  seen_at: NullableTimestamp;
  created_at: Timestamp;
}

export interface PublicReportStepsTable {
  id: Generated<string>;
  report_id: string;
  authority_id: string;
  round: number;
  kind: 'public-notice' | 'public-inspection' | 'consideration' | 'notification';
  position: number;
  due_on: ColumnType<string, string, string>;
  due_rule: string;
  completed_on: ColumnType<string | null, string | null | undefined, string | null>;
  completed_at: NullableTimestamp;
  completed_by: string | null;
  evidence_document_id: string | null;
  note: string | null;
  body: 'full-council' | 'cabinet' | 'committee' | null;
  escalated_at: NullableTimestamp;
  created_at: Timestamp;
}

export interface PublicReportRemindersTable {
  id: Generated<string>;
  step_id: string;
  authority_id: string;
  kind: 'before-due' | 'overdue' | 'escalated';
  due_on: ColumnType<string, string, string>;
  sent_at: Timestamp;
}

export interface PublicReportFurtherTable {
  id: Generated<string>;
  report_id: string;
  round: number;
  reason: 'no-response' | 'not-satisfied';
  text_body: string;
  issued_on: ColumnType<string, string, string>;
  issued_by: string | null;
  created_at: Timestamp;
}

/** A form's errors and input, kept for the next page request (migration 0062). */
export interface FormFlashesTable {
  id: Generated<string>;
  key_hash: string;
  /** JSON text on the way in; as read back, parsed by the driver (`json` column). */
  payload: ColumnType<unknown, string, string>;
  created_at: Timestamp;
  expires_at: Timestamp;
}

/** The weekly email of what falls due, per link officer (migration 0065). */
export interface HomeDigestSettingsTable {
  user_id: string;
  stopped_at: NullableTimestamp;
  updated_at: Timestamp;
}

export interface HomeDigestsTable {
  id: Generated<string>;
  user_id: string;
  authority_id: string;
  week_of: ColumnType<string, string, string>;
  items: number;
  stop_token_hash: string;
  sent_at: Timestamp;
}

// Training (modules/training).

export type TrainingAudience = 'councils' | 'care-providers' | 'councillors' | 'link-officers';
export type TrainingFormat = 'online' | 'in-person' | 'elearning' | 'workbook' | 'event';
export type TrainingBookingStatus = 'pending' | 'confirmed' | 'waitlisted' | 'offered' | 'cancelled' | 'lapsed';

export interface TrainingCoursesTable {
  id: Generated<string>;
  title: string;
  audiences: TrainingAudience[];
  format: TrainingFormat;
  description: string;
  learning_outcomes: Generated<string>;
  duration_minutes: number | null;
  price_pence: Generated<number>;
  external_url: string | null;
  published: Generated<boolean>;
  created_by: string | null;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface TrainingSessionsTable {
  id: Generated<string>;
  course_id: string;
  starts_at: Timestamp;
  ends_at: Timestamp;
  capacity: number;
  booking_closes_at: Timestamp;
  joining_instructions: string | null;
  venue: string | null;
  trainer_id: string | null;
  authority_id: string | null;
  network: string | null;
  next_position: Generated<number>;
  cancelled_at: NullableTimestamp;
  created_at: Timestamp;
}

export interface TrainingBookingsTable {
  id: Generated<string>;
  session_id: string;
  name: string;
  email: string;
  email_key: ColumnType<string, never, never>;
  organisation: string | null;
  job_role: string | null;
  accessibility_needs: string | null;
  authority_id: string | null;
  booked_by: string | null;
  purchase_order: string | null;
  status: TrainingBookingStatus;
  position: number | null;
  confirm_token_hash: string | null;
  confirm_expires_at: NullableTimestamp;
  offer_token_hash: string | null;
  offer_expires_at: NullableTimestamp;
  attendee_token_hash: string | null;
  confirmed_at: NullableTimestamp;
  cancelled_at: NullableTimestamp;
  reminded_at: NullableTimestamp;
  attendance: 'attended' | 'no-show' | null;
  attendance_marked_at: NullableTimestamp;
  created_at: Timestamp;
}

export interface TrainingFeedbackTable {
  booking_id: string;
  rating: number;
  comments: Generated<string>;
  submitted_at: Timestamp;
}

/** First-party analytics of the public pages, aggregates only (migration 0075, modules/privacy). */
export interface AnalyticsPageViewsTable {
  day: ColumnType<string, string, string>;
  path: string;
  views: number;
}

export interface AnalyticsVisitorsTable {
  day: ColumnType<string, string, string>;
  visitors: number;
}

// Publications (modules/publications).

export interface PublicationTopicsTable {
  slug: string;
  name: string;
  service_area: Generated<boolean>;
  created_at: Generated<Date>;
}

export interface PublicationsTable {
  id: Generated<string>;
  kind: string;
  slug: string;
  title: string;
  summary: string;
  body: string;
  body_text: string;
  topics: string[];
  councillor_questions: string[];
  partners: string[];
  status: Generated<'draft' | 'published' | 'withdrawn'>;
  /** When it went, or goes, public: a published row whose time is to come is scheduled. */
  published_at: NullableTimestamp;
  version: Generated<number>;
  corrected_at: NullableTimestamp;
  withdrawn_at: NullableTimestamp;
  withdrawal_notice: string | null;
  created_at: Timestamp;
  updated_at: Timestamp;
  /** Generated from the title, summary and body text: never written. */
  search: ColumnType<string, never, never>;
  /** Generated from the title: never written. */
  title_search: ColumnType<string, never, never>;
}

export interface PublicationSlugsTable {
  slug: string;
  publication_id: string;
  retired_at: Timestamp;
}

export interface PublicationVersionsTable {
  publication_id: string;
  version: number;
  title: string;
  summary: string;
  body: string;
  topics: string[];
  councillor_questions: string[];
  partners: string[];
  published_at: Timestamp;
  replaced_at: Timestamp;
}

export interface PublicationCorrectionsTable {
  publication_id: string;
  version: number;
  note: string;
  corrected_at: Timestamp;
}

export interface PublicationAttachmentsTable {
  id: Generated<string>;
  publication_id: string;
  document_id: string;
  title: string;
  added_at: Timestamp;
}

export interface SitePagesTable {
  key: string;
  title: string;
  body: string;
  updated_at: Timestamp;
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
  outbox_attachments: OutboxAttachmentsTable;
  correspondence_threads: CorrespondenceThreadsTable;
  correspondence_items: CorrespondenceItemsTable;
  correspondence_deliveries: CorrespondenceDeliveriesTable;
  correspondence_attachments: CorrespondenceAttachmentsTable;
  link_officers: LinkOfficersTable;
  link_officer_covers: LinkOfficerCoversTable;
  link_officer_change_requests: LinkOfficerChangeRequestsTable;
  newsletter_role_subscribers: NewsletterRoleSubscribersView;
  complaint_reference_counters: ComplaintReferenceCountersTable;
  complaints: ComplaintsTable;
  complaint_parties: ComplaintPartiesTable;
  complaint_status_history: ComplaintStatusHistoryTable;
  documents: DocumentsTable;
  complaint_document_requests: ComplaintDocumentRequestsTable;
  complaint_drafts: ComplaintDraftsTable;
  enquiries: EnquiriesTable;
  enquiry_questions: EnquiryQuestionsTable;
  enquiry_answer_documents: EnquiryAnswerDocumentsTable;
  allocation_notices: AllocationNoticesTable;
  enquiry_recipients: EnquiryRecipientsTable;
  enquiry_due_dates: EnquiryDueDatesTable;
  enquiry_extension_requests: EnquiryExtensionRequestsTable;
  enquiry_reminders: EnquiryRemindersTable;
  enquiry_delegations: EnquiryDelegationsTable;
  authority_enquiry_settings: AuthorityEnquirySettingsTable;
  draft_decisions: DraftDecisionsTable;
  draft_decision_evidence: DraftDecisionEvidenceTable;
  draft_comments: DraftCommentsTable;
  draft_disclosures: DraftDisclosuresTable;
  final_decisions: FinalDecisionsTable;
  decision_reviews: DecisionReviewsTable;
  remedies: RemediesTable;
  remedy_evidence: RemedyEvidenceTable;
  remedy_actions: RemedyActionsTable;
  remedy_reminders: RemedyRemindersTable;
  public_reports: PublicReportsTable;
  public_report_alerts: PublicReportAlertsTable;
  public_report_steps: PublicReportStepsTable;
  public_report_reminders: PublicReportRemindersTable;
  public_report_further: PublicReportFurtherTable;
  form_flashes: FormFlashesTable;
  home_digest_settings: HomeDigestSettingsTable;
  home_digests: HomeDigestsTable;
  training_courses: TrainingCoursesTable;
  training_sessions: TrainingSessionsTable;
  training_bookings: TrainingBookingsTable;
  training_feedback: TrainingFeedbackTable;
  analytics_page_views: AnalyticsPageViewsTable;
  analytics_visitors: AnalyticsVisitorsTable;
  publication_topics: PublicationTopicsTable;
  publications: PublicationsTable;
  publication_slugs: PublicationSlugsTable;
  publication_versions: PublicationVersionsTable;
  publication_corrections: PublicationCorrectionsTable;
  publication_attachments: PublicationAttachmentsTable;
  site_pages: SitePagesTable;
}

export type Row<T extends keyof Database> = Selectable<Database[T]>;
export type NewRow<T extends keyof Database> = Insertable<Database[T]>;
export type RowUpdate<T extends keyof Database> = Updateable<Database[T]>;
