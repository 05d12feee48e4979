/**
 * Complaints: statuses and how a case moves between them, outcomes, whether the authority has been
 * told of a case, the reference format and who may open a document. The rules an officer is shown
 * are in `rules.ts`, who made a status change in `status-actors.ts`. Pure: no I/O.
 */
import type { ComplaintOutcome, ComplaintStatus, StatusActorType } from '../../platform/db/schema.ts';
import {
  PERMISSIONS,
  ROLES,
  ROLE_NAMES,
  can,
  isRole,
  type Actor,
  type Permission,
  type Role,
} from '../accounts/domain.ts';

export type { ComplaintOutcome, ComplaintStatus, StatusActorType };

export const STATUSES: readonly ComplaintStatus[] = [
  'received',
  'intake',
  'assessment',
  'investigation',
  'decision',
  'remedy',
  'closed',
];

export const STATUS_NAMES: Record<ComplaintStatus, string> = {
  received: 'Received',
  intake: 'Intake',
  assessment: 'Assessment',
  investigation: 'Investigation',
  decision: 'Decision',
  remedy: 'Remedy',
  closed: 'Closed',
};

export const isStatus = (v: string): v is ComplaintStatus => (STATUSES as readonly string[]).includes(v);

export const OUTCOME_NAMES: Record<ComplaintOutcome, string> = {
  premature: 'Premature: referred back to the authority',
  invalid: 'Invalid',
  'out-of-jurisdiction': 'Out of jurisdiction',
  'not-investigated': 'Not investigated',
  'closed-after-initial-enquiries': 'Closed after initial enquiries',
  'upheld-injustice': 'Upheld: fault causing injustice',
  'upheld-no-injustice': 'Upheld: fault, no injustice',
  'not-upheld': 'Not upheld',
  'remedied-by-authority': 'Satisfactory remedy already provided by the authority',
  withdrawn: 'Withdrawn',
};

/**
 * Statuses a case moves to from each status. Closing is possible from every open status; a received
 * case goes through intake first, and a case at intake goes to investigation only through assessment
 * (see `stepsTo`). Intake closes a case itself only as premature.
 */
const NEXT: Record<ComplaintStatus, readonly ComplaintStatus[]> = {
  received: ['intake'],
  intake: ['assessment', 'closed'],
  assessment: ['investigation', 'closed'],
  investigation: ['decision', 'closed'],
  decision: ['remedy', 'closed'],
  remedy: ['closed'],
  closed: [],
};

export const canMove = (from: ComplaintStatus, to: ComplaintStatus): boolean => NEXT[from].includes(to);

/**
 * Where a new complaint starts. Every complaint is received; intake starts when an intake officer
 * takes it up. An officer who records a complaint (the staff form, or an intake system through the
 * API) does the intake checks as they key it in, so it starts at intake. One that arrives on its own
 * (the public form) stays received until an intake officer starts intake.
 */
export const firstStatus = (recordedByIntakeOfficer: boolean): ComplaintStatus =>
  recordedByIntakeOfficer ? 'intake' : 'received';

/** Why intake started, as the status history records it. */
export const INTAKE_STARTED = 'Intake checks started';
/** Why assessment started when a decision passes through it, as the status history records it. */
export const ASSESSMENT_STARTED = 'Assessment started';

/** The status a case may not skip on its way on from each: intake after receipt, assessment after intake. */
const NEVER_SKIPPED: Partial<Record<ComplaintStatus, ComplaintStatus>> = { received: 'intake', intake: 'assessment' };

/** Why a case entered a status it passed through on the way to another, as the status history records it. */
export const stepReason = (step: ComplaintStatus): string | null =>
  step === 'intake' ? INTAKE_STARTED : step === 'assessment' ? ASSESSMENT_STARTED : null;

/**
 * The statuses a case passes through, in order, when it is moved on to `to` (by way of `through`,
 * when given); null when it may not move there. No status is skipped: a decision taken on a case
 * still received starts intake first, one that sends a case at intake to investigation starts
 * assessment first, and an assessment decision (`through` assessment) on a case still at intake or
 * received starts what it skipped, so its history shows received → intake → assessment → ….
 */
export function stepsTo(
  from: ComplaintStatus,
  to: ComplaintStatus,
  through?: ComplaintStatus,
): ComplaintStatus[] | null {
  if (through !== undefined && through !== from && through !== to) {
    const first = stepsTo(from, through);
    const rest = first ? stepsTo(through, to) : null;
    return first && rest ? [...first, ...rest] : null;
  }
  if (canMove(from, to)) return [to];
  const next = NEVER_SKIPPED[from];
  const rest = next === undefined ? null : stepsTo(next, to);
  return next !== undefined && rest ? [next, ...rest] : null;
}

/**
 * The role a person acted in: of their roles, the first that holds the first of the permissions the
 * action needed (in the order the permission lists its roles), or their first role when none does.
 * A person with several roles is named by the one that let them act, never simply by the first.
 */
export function actingRole(roles: readonly string[], acting: readonly Permission[]): Role | null {
  const held = roles.filter(isRole);
  for (const permission of acting) {
    const allowed: readonly Role[] = PERMISSIONS[permission];
    const role = allowed.find((r) => held.includes(r));
    if (role) return role;
  }
  return ROLES.find((r) => held.includes(r)) ?? null;
}

/** The name of the role a person acted in (see `actingRole`), e.g. "Casework manager"; null without a role. */
export function actingRoleName(roles: readonly string[], acting: readonly Permission[]): string | null {
  const role = actingRole(roles, acting);
  return role === null ? null : ROLE_NAMES[role];
}

/**
 * The permissions a status change needed, by the status it left: intake, assessment, the
 * investigator's decisions, or the remedy work that closes a case.
 */
export function statusChangePermissions(from: ComplaintStatus | null): readonly Permission[] {
  switch (from) {
    case null:
    case 'received':
      return ['complaints:intake', 'complaints:assess'];
    case 'intake':
      return ['complaints:intake', 'complaints:assess'];
    case 'assessment':
      return ['complaints:assess'];
    case 'investigation':
    case 'decision':
      return ['decisions:write', 'complaints:investigate', 'decisions:review'];
    case 'remedy':
      return ['remedies:review', 'remedies:escalate', 'decisions:review'];
    case 'closed':
      return ['decisions:review', 'complaints:assess'];
  }
}

/** Statuses in which a case waits for (or is in) assessment: the assessment queue. */
export const QUEUE_STATUSES: readonly ComplaintStatus[] = ['received', 'intake', 'assessment'];

/**
 * Statuses in which a case has an investigator, or waits for one: an assessment may send a case to
 * investigation unallocated, and staff allocate (or reallocate) it in any of these.
 */
export const ALLOCATION_STATUSES: readonly ComplaintStatus[] = ['investigation', 'decision', 'remedy'];

/** What an assessment can decide. */
export const ASSESSMENT_OUTCOMES = [
  'investigate',
  'not-investigate',
  'premature',
  'invalid',
  'out-of-jurisdiction',
  'closed-after-initial-enquiries',
] as const;
export type AssessmentOutcome = (typeof ASSESSMENT_OUTCOMES)[number];

export const ASSESSMENT_OUTCOME_NAMES: Record<AssessmentOutcome, string> = {
  investigate: 'Investigate',
  'not-investigate': 'Do not investigate',
  premature: 'Premature: refer back to the authority',
  invalid: 'Invalid',
  'out-of-jurisdiction': 'Out of jurisdiction',
  'closed-after-initial-enquiries': 'Close after initial enquiries',
};

/** The closing outcome an assessment decision records (null: the case stays open, under investigation). */
export const closingOutcome = (o: AssessmentOutcome): ComplaintOutcome | null =>
  o === 'investigate' ? null : o === 'not-investigate' ? 'not-investigated' : o;

/**
 * Outcomes the authority is never told of: an invalid or out-of-jurisdiction case is closed with a
 * letter to the complainant only, and the authority's users and tokens never see the case again
 * (not in a list, not its page, documents, correspondence or decisions: it is not found for them).
 */
export const UNTOLD_OUTCOMES = ['invalid', 'out-of-jurisdiction'] as const satisfies readonly ComplaintOutcome[];

/**
 * Statuses in which the authority has been told of a case: investigation starts with the allocation
 * notice (its chance to comment), and enquiries and the draft decision follow; a case is closed with
 * a letter to the authority (a premature referral, a decision not to investigate, the final
 * decision) unless its outcome is one the authority is never told of. Before investigation
 * (received, intake, assessment) the case is the ombudsman's alone, unless documents were asked of
 * the authority.
 */
export const TOLD_STATUSES: readonly ComplaintStatus[] = ['investigation', 'decision', 'remedy', 'closed'];

/** Whether a case's outcome lets the authority know of it (null: still open, or not yet decided). */
export const outcomeToldToAuthority = (outcome: ComplaintOutcome | null): boolean =>
  outcome === null || !(UNTOLD_OUTCOMES as readonly ComplaintOutcome[]).includes(outcome);

/** What decides whether the authority knows of a case. */
export interface ToldFacts {
  status: ComplaintStatus;
  outcome: ComplaintOutcome | null;
  /** Whether documents were asked of the authority (a document request, at intake or assessment). */
  documentsRequested: boolean;
}

/**
 * Whether the authority may know of a case: the one rule for every authority-facing read (its SQL
 * form, `toldToAuthoritySql` in the repository, is what reads apply). The authority knows of a case
 * from the point the ombudsman tells it: documents asked of it, the allocation notice when
 * investigation starts (enquiries and the draft follow), or the letter of a closing decision. A case
 * still received, at intake or at assessment with nothing asked is not found for its users and
 * tokens, nor, ever, one closed with an outcome it is never told of.
 */
export const toldToAuthority = (c: ToldFacts): boolean =>
  outcomeToldToAuthority(c.outcome) && (TOLD_STATUSES.includes(c.status) || c.documentsRequested);

/** Whether the decision needs a reason written down. */
export const needsReason = (o: AssessmentOutcome): boolean => o !== 'investigate';

// References ---------------------------------------------------------------------------------------

export const MAX_SEQUENCE = 999_999;

/** '26 001 234': the two-digit year of receipt and a six-digit sequence, grouped in threes. */
export function formatReference(year: number, sequence: number): string {
  if (!Number.isInteger(sequence) || sequence < 1 || sequence > MAX_SEQUENCE)
    throw new RangeError(`A reference sequence runs from 1 to ${MAX_SEQUENCE}: ${sequence}`);
  const yy = String(year % 100).padStart(2, '0');
  const n = String(sequence).padStart(6, '0');
  return `${yy} ${n.slice(0, 3)} ${n.slice(3)}`;
}

/** A reference as someone might type it ('26001234', '26-001-234') in the stored form, or null. */
export function normaliseReference(text: string): string | null {
  const digits = text.replace(/[\s-]/g, '');
  if (!/^\d{8}$/.test(digits)) return null;
  return `${digits.slice(0, 2)} ${digits.slice(2, 5)} ${digits.slice(5)}`;
}

/** What decides who may open a document: its own marks and whether the authority was told of its case. */
export interface DocumentAccess {
  authority_id: string | null;
  complaint_id: string | null;
  do_not_disclose: boolean;
  /** Whether the authority has been told of the case the document is filed to (`toldToAuthority`; null without a case). */
  case_told: boolean | null;
}

/**
 * Whether the actor may see a document: staff who may read cases; the authority's own users and
 * tokens only for a document filed to one of its cases, not marked not for disclosure, on a case
 * the authority was told of (never one closed as invalid or out of jurisdiction).
 */
export function mayOpenDocument(actor: Actor, document: DocumentAccess): boolean {
  if (actor.authorityId === null) return can(actor, 'complaints:read');
  return (
    document.complaint_id !== null &&
    document.authority_id === actor.authorityId &&
    !document.do_not_disclose &&
    document.case_told === true &&
    can(actor, 'portal:complaints')
  );
}
