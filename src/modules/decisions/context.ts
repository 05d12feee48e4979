import crypto from 'node:crypto';
import { writeAudit } from '../../platform/audit/audit.ts';
import type { IsoDate, WorkingCalendar } from '../../platform/calendar/calendar.ts';
import type { Clock } from '../../platform/clock.ts';
import type { Tx } from '../../platform/db/database.ts';
import { formatDate } from '../../platform/dates.ts';
import { forbidden } from '../../platform/errors.ts';
import { auditEventBy, can, type Actor } from '../accounts/domain.ts';
import type { ComplaintsService } from '../complaints/complaints.service.ts';
import type { CorrespondenceService } from '../correspondence/correspondence.service.ts';
import type { DecisionsRepository, DraftRow } from './decisions.repository.ts';
import type { DraftForm, DraftSections, FinalOutcome, RemedyProposal } from './domain.ts';
import type { DecisionListsRepository } from './lists.repository.ts';

export interface DecisionsSettings {
  baseUrl: string;
  /** Working days each party has to comment on a draft (DRAFT_COMMENT_WORKING_DAYS). */
  commentWorkingDays: number;
  /** Working days after a final decision in which the complainant may ask for a review (DECISION_REVIEW_WORKING_DAYS). */
  reviewWorkingDays: number;
}

export interface DraftIssuedEvent {
  complaintId: string;
  draftId: string;
  version: number;
  form: DraftForm;
  issuedOn: string;
  remedies: RemedyProposal[];
}
export type DraftIssuedHook = (trx: Tx, actor: Actor, e: DraftIssuedEvent) => Promise<void>;

export interface FinalDecisionEvent {
  complaintId: string;
  finalDecisionId: string;
  outcome: FinalOutcome;
  form: DraftForm;
  draftId: string | null;
  decidedOn: string;
}
export type FinalDecisionHook = (trx: Tx, actor: Actor, e: FinalDecisionEvent) => Promise<void>;
export type OpenWorkCheck = (trx: Tx, complaintId: string) => Promise<string | null>;

/** What other modules hooked onto decisions: run in the decisions' transactions, in the order added. */
export interface DecisionHooks {
  draft: DraftIssuedHook[];
  final: FinalDecisionHook[];
  openWork: OpenWorkCheck[];
}

/**
 * What every decisions use case works with: the module's repositories, the clock and calendar, the
 * services it calls and the hooks other modules added.
 */
export interface DecisionsContext {
  repo: DecisionsRepository;
  lists: DecisionListsRepository;
  clock: Clock;
  calendar: WorkingCalendar;
  complaints: ComplaintsService;
  correspondence: CorrespondenceService;
  settings: DecisionsSettings;
  hooks: DecisionHooks;
}

export const showDate = (d: IsoDate) => formatDate(d);
export const hashToken = (token: string) => crypto.createHash('sha256').update(token).digest('hex');
export const TOKEN_SHAPE = /^[\w-]{43}$/;

export const sectionsOf = (d: DraftRow): DraftSections => ({
  complaint: d.complaint_text,
  findings: d.findings_text,
  proposedRemedy: d.proposed_remedy_text,
  decision: d.decision_text,
});

/**
 * The decision's audit row, written in the change's transaction (`actor` null: the complainant
 * through their link, recorded as the system).
 */
export function audit(
  trx: Tx,
  actor: Actor | null,
  action: string,
  recordType: string,
  recordId: string,
  authorityId: string,
) {
  return writeAudit(trx, auditEventBy(actor, action, { type: recordType, id: recordId, authorityId }));
}

export function requireStaff(
  actor: Actor,
  permission: 'decisions:write' | 'decisions:review' | 'complaints:read',
): void {
  if (actor.authorityId !== null || !can(actor, permission)) throw forbidden();
}

export function requireDrafter(actor: Actor, form: DraftForm): void {
  if (actor.authorityId !== null) throw forbidden();
  if (!can(actor, 'decisions:write') && !(form === 'report' && can(actor, 'public-reports:manage'))) throw forbidden();
}
