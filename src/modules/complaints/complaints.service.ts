import crypto from 'node:crypto';
import type { Kysely } from 'kysely';
import { SYSTEM_ACTOR, writeAudit } from '../../platform/audit/audit.ts';
import type { WorkingCalendar } from '../../platform/calendar/calendar.ts';
import type { Clock } from '../../platform/clock.ts';
import type { DbOrTx, Tx } from '../../platform/db/database.ts';
import type { ComplaintStatus, Database, RowUpdate } from '../../platform/db/schema.ts';
import { DomainError, forbidden, invalid, notFound, type FieldError } from '../../platform/errors.ts';
import type { FilesService } from '../../platform/files/files.service.ts';
import { decodeCursor, toPage, type Page } from '../../platform/pagination.ts';
import { auditActor, can, type Actor, type Permission } from '../accounts/domain.ts';
import { SERVICE_AREA_NAMES, type ServiceArea } from '../authorities/domain.ts';
import type { NewItem } from '../correspondence/domain.ts';
import { z } from 'zod';
import {
  ALLOCATION_STATUSES,
  ASSESSMENT_OUTCOME_NAMES,
  actingRoleName,
  statusChangePermissions,
  OUTCOME_NAMES,
  QUEUE_STATUSES,
  URGENT_FLAGS,
  URGENT_KEYS,
  URGENT_NAMES,
  assessmentClock,
  closingOutcome,
  firstStatus,
  formatReference,
  INTAKE_STARTED,
  lateRule,
  mayOpenDocument,
  needsReason,
  normaliseReference,
  prematureRule,
  shownActor,
  stepReason,
  stepsTo,
  toldToAuthority,
  type AssessmentClock,
  type AssessmentOutcome,
  type ComplaintOutcome,
  type RuleFinding,
  type StatusActor,
} from './domain.ts';
import { ComplaintDraftsRepository } from './complaint-drafts.repository.ts';
import { CaseListsRepository, type ListFilters, type ListRow } from './case-lists.repository.ts';
import {
  ComplaintsRepository,
  type ComplaintRow,
  type PartyRow,
  type TimelinePerson,
} from './complaints.repository.ts';
import type { AssessmentInput, NewComplaint } from './complaints.schemas.ts';
import { formatDate } from '../../platform/dates.ts';

export interface ComplaintsSettings {
  baseUrl: string;
  assessmentTargetWorkingDays: number;
  documentRequestWorkingDays: number;
}

/** What a timeline entry is about: the timeline filters by these. */
export const TIMELINE_KINDS = [
  'authority-handling',
  'complaint',
  'assessment',
  'document',
  'enquiry',
  'correspondence',
  'draft',
  'comment',
  'decision',
  'review',
  'remedy',
  'evidence',
  'public-report',
  'closure',
] as const;
export type TimelineKind = (typeof TIMELINE_KINDS)[number];

/** One entry of a case's timeline. Other modules add entries through their manifest's `timeline`. */
export interface TimelineEvent {
  at: Date;
  kind: TimelineKind;
  label: string;
  /** Plain text under the label. */
  text?: string | null;
  /**
   * Who acted, by role ("Investigator", "Link officer", "Complainant", "Online form"); never a
   * complainant's name. For an event with an `actor`, the role that person acted in replaces it.
   */
  actorRole?: string | null;
  /** The person who acted, shown to staff only. */
  by?: string | null;
  /**
   * The user who acted and the permissions the action needed, in order: the timeline names them
   * with the role that let them act (see `actingRole`).
   */
  actor?: TimelineActor | null;
  /** Documents that go with the event; hrefs are per face (staff or portal) as the source decides. */
  documents?: readonly { id: string; filename: string }[];
  /** A link (e.g. to a document or an enquiry) on the staff face. */
  href?: string | null;
  /** A link on the portal's face, for an event the authority sees (e.g. a message in its Correspondence tab). */
  portalHref?: string | null;
  /** Whether the authority sees this event in the portal (false for internal notes and complainant-only items). */
  authorityVisible: boolean;
}

/** Who acted on a timeline event: the user (null when not a person) and the permissions the action needed. */
export interface TimelineActor {
  userId: string | null;
  acting: readonly Permission[];
}

/**
 * A source of timeline events for a case, e.g. enquiries or correspondence: a module contributes
 * one with its manifest's `timeline`.
 */
export type TimelineSource = (complaintId: string) => Promise<TimelineEvent[]>;

/**
 * What complaints asks of the correspondence module, the one sender for case mail: an item written
 * on a case in the caller's transaction. The composition root passes the correspondence service;
 * correspondence depends on complaints (the told-to-authority rule, its timeline source), so
 * complaints names only this and never imports the service.
 */
export interface CaseCorrespondence {
  write(db: DbOrTx, item: NewItem): Promise<string>;
}

/** Work other modules do in the transaction that moves a complaint to investigation (e.g. enqueue the allocation notice). */
export type InvestigationStartedHook = (trx: Tx, complaintId: string) => Promise<void>;

/**
 * A marker another module shows staff on a case's pages and in the case lists (a contact
 * restriction on one of its parties): a short tag for lists, a title and lines for the case page.
 */
export interface CaseMarker {
  tag: string;
  title: string;
  lines: readonly string[];
  href: string | null;
  variant: 'warning' | 'information';
}

/** Markers for the cases named, by case id; a module adds one with `complaints.addCaseMarkers`. */
export type CaseMarkerSource = (complaintIds: readonly string[]) => Promise<ReadonlyMap<string, readonly CaseMarker[]>>;

export interface CaseView {
  complaint: ComplaintRow;
  authority: { id: string; name: string; kind: string };
  complainant: PartyRow | null;
  representative: PartyRow | null;
  /** False when an authority user may not see the complainant's details (no consent to share). */
  partiesShown: boolean;
  urgentReasons: string[];
  premature: RuleFinding;
  late: RuleFinding;
  clock: AssessmentClock | null;
  investigatorName: string | null;
}

export interface CaseSummary {
  id: string;
  reference: string;
  status: ComplaintStatus;
  authorityId: string;
  authorityName: string;
  serviceArea: string;
  urgent: boolean;
  outcome: ComplaintOutcome | null;
  receivedAt: Date;
  investigatorId: string | null;
}

export interface QueueItem extends CaseSummary {
  urgentReasons: string[];
  clock: AssessmentClock;
  premature: boolean;
  late: boolean;
}

const listCursor = z.tuple([z.string(), z.uuid()]);
const queueCursor = z.tuple([z.number().int().min(0).max(1), z.string(), z.uuid()]);
const DRAFT_TTL_MS = 24 * 3600 * 1000;
/** A document is added by an authority user answering an enquiry or sending evidence, or by staff on the case. */
const UPLOAD_PERMISSIONS: readonly Permission[] = [
  'enquiries:portal',
  'remedies:portal',
  'public-reports:portal',
  'portal:complaints',
  'complaints:investigate',
  'complaints:assess',
  'complaints:read',
];
/** Who a status change is recorded as made by: the person or token acting, or the system (a job) when none is. */
const statusActor = (actor: Actor | null): StatusActor =>
  actor === null
    ? { type: 'system' }
    : actor.type === 'user'
      ? { type: 'user', id: actor.id }
      : { type: 'token', id: actor.id };
const isUuid = (v: string) => /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(v);

/**
 * Complaints from receipt to assessment: the public form and staff intake, references, the rules the
 * intake officer is shown, assessment decisions, document requests, the case page and lists.
 */
export class ComplaintsService {
  private readonly investigationStartedHooks: InvestigationStartedHook[] = [];
  private readonly markerSources: CaseMarkerSource[] = [];

  constructor(
    private readonly db: Kysely<Database>,
    private readonly clock: Clock,
    private readonly calendar: WorkingCalendar,
    private readonly files: FilesService,
    private readonly correspondence: CaseCorrespondence,
    /** The other modules' entries on a case's timeline (their manifests' `timeline`), filled at start-up. */
    private readonly timelineSources: readonly TimelineSource[],
    readonly settings: ComplaintsSettings,
  ) {}

  onInvestigationStarted(hook: InvestigationStartedHook): void {
    this.investigationStartedHooks.push(hook);
  }

  addCaseMarkers(source: CaseMarkerSource): void {
    this.markerSources.push(source);
  }

  /** The markers staff see on these cases (none for an authority's users). */
  async caseMarkers(actor: Actor, complaintIds: readonly string[]): Promise<Map<string, CaseMarker[]>> {
    const out = new Map<string, CaseMarker[]>();
    if (actor.authorityId !== null || complaintIds.length === 0 || !can(actor, 'complaints:read')) return out;
    for (const source of this.markerSources) {
      for (const [id, markers] of await source(complaintIds)) out.set(id, [...(out.get(id) ?? []), ...markers]);
    }
    return out;
  }

  private require(actor: Actor | null, permission: Permission): asserts actor is Actor {
    if (!actor || actor.authorityId !== null || !can(actor, permission)) throw forbidden();
  }

  private today(): string {
    return this.calendar.londonDate(this.clock.now());
  }

  // Receiving a complaint -----------------------------------------------------------------------------

  /** The name of an authority, or null when there is none with this id. */
  async authorityName(id: string): Promise<string | null> {
    if (!isUuid(id)) return null;
    return (await ComplaintsRepository.in(this.db).findAuthority(id))?.name ?? null;
  }

  /** The rules as they would apply to answers not yet submitted (for check-your-answers and forms). */
  async findings(
    input: Pick<NewComplaint, 'authorityId' | 'authorityProcessFinished' | 'authorityComplainedOn' | 'awareOn'>,
  ) {
    const authority = isUuid(input.authorityId)
      ? await ComplaintsRepository.in(this.db).findAuthority(input.authorityId)
      : undefined;
    const rule = {
      receivedOn: this.today(),
      authorityProcessFinished: input.authorityProcessFinished,
      authorityComplainedOn: input.authorityComplainedOn,
      awareOn: input.awareOn,
      careProvider: authority?.kind === 'care-provider',
    };
    return { premature: prematureRule(rule), late: lateRule(rule) };
  }

  /**
   * Records a new complaint: a reference unique under concurrency, its parties, the first status,
   * the audit row and the acknowledgement email, all in one transaction. `actor` is null for the
   * public form. Bad input (unknown authority, dates in the future) changes nothing.
   */
  async receive(
    actor: Actor | null,
    input: NewComplaint,
  ): Promise<{ id: string; reference: string; status: ComplaintStatus }> {
    if (actor !== null) this.require(actor, 'complaints:intake');
    const now = this.clock.now();
    const today = this.calendar.londonDate(now);
    const problems: FieldError[] = [];
    const repo = ComplaintsRepository.in(this.db);
    const authority = isUuid(input.authorityId) ? await repo.findAuthority(input.authorityId) : undefined;
    if (!authority || !authority.active)
      problems.push({
        field: 'authorityId',
        message: 'Select an authority from the list: that one could not be found',
      });
    const future = (value: string | null, field: string, what: string) => {
      if (value !== null && value > today) problems.push({ field, message: `${what} must be today or in the past` });
    };
    future(input.authorityFinalResponseOn, 'authorityFinalResponseOn', 'The date of the final response');
    future(input.authorityComplainedOn, 'authorityComplainedOn', 'The date of the complaint to the authority');
    future(input.awareOn, 'awareOn', 'The date they knew of the matter');
    if (problems.length > 0 || !authority) throw invalid(problems);

    const rule = {
      receivedOn: today,
      authorityProcessFinished: input.authorityProcessFinished,
      authorityComplainedOn: input.authorityComplainedOn,
      awareOn: input.awareOn,
      careProvider: authority.kind === 'care-provider',
    };
    const premature = prematureRule(rule).applies;
    const late = lateRule(rule).applies;
    const urgent = Object.fromEntries(URGENT_FLAGS.map((f) => [f, false])) as Record<
      (typeof URGENT_FLAGS)[number],
      boolean
    >;
    for (const key of input.urgent) {
      const flag = URGENT_KEYS[key];
      if (flag) urgent[flag] = true;
    }
    const status = firstStatus(actor !== null);

    return this.db.transaction().execute(async (trx) => {
      const repo = ComplaintsRepository.in(trx);
      const year = Number(today.slice(2, 4));
      const reference = formatReference(year, await repo.nextSequence(year));
      const complaint = await repo.insertComplaint({
        reference,
        authority_id: authority.id,
        service_area: input.serviceArea,
        status,
        channel: input.channel,
        summary: input.summary,
        injustice: input.injustice,
        outcome_wanted: input.outcomeWanted,
        authority_process_finished: input.authorityProcessFinished,
        authority_final_response_on: input.authorityFinalResponseOn,
        authority_complained_on: input.authorityComplainedOn,
        aware_on: input.awareOn,
        ...urgent,
        premature,
        late,
        received_at: now,
        created_by: actor?.type === 'user' ? actor.id : null,
        created_at: now,
        updated_at: now,
      });
      const party = (role: 'complainant' | 'representative', p: NewComplaint['complainant']) =>
        repo.insertParty({
          complaint_id: complaint.id,
          authority_id: authority.id,
          role,
          name: p.name,
          email: p.email,
          phone: p.phone,
          address: p.address,
          communication_needs: p.communicationNeeds,
          relationship: p.relationship,
          consent_to_share: input.consentToShare,
          created_at: now,
          updated_at: now,
        });
      await party('complainant', input.complainant);
      if (input.representative) await party('representative', input.representative);
      await repo.recordStatus(complaint, {
        from: null,
        to: status,
        reason: `Received ${input.channel === 'online' ? 'through the online form' : `by ${input.channel}`}`,
        // Without an actor, the complaint was sent on the public form (the only caller without one).
        by: actor === null ? { type: 'public-form' } : statusActor(actor),
        at: now,
      });
      const documentIds = (input.documentIds ?? []).filter(isUuid);
      if (documentIds.length > 0) await repo.fileUnfiledDocuments(documentIds, complaint.id, authority.id);
      await writeAudit(trx, {
        actor: actor ? auditActor(actor) : { type: 'system', id: null },
        action: 'complaint.received',
        recordType: 'complaint',
        recordId: complaint.id,
        authorityId: authority.id,
        requestId: actor?.requestId ?? null,
      });
      // The acknowledgement is correspondence on the case (the complainant's thread), sent by its job.
      const contact = input.representative?.email ? input.representative : input.complainant;
      if (contact.email) {
        await this.correspondence.write(trx, {
          complaintId: complaint.id,
          kind: 'acknowledgement',
          addressees: ['complainant'],
          actor: null,
          subject: `We have received your complaint: reference ${reference}`,
          text: [
            `Dear ${contact.name},`,
            '',
            `Thank you for your complaint about ${authority.name}. Your reference is ${reference}.`,
            'Please quote it whenever you contact us.',
            '',
            'What happens next: we check whether the authority has had the chance to put things right, and',
            'whether the complaint is one we can look at. We aim to tell you what we will do within',
            `${this.settings.assessmentTargetWorkingDays} working days.`,
          ].join('\n'),
        });
      }
      return { id: complaint.id, reference, status };
    });
  }

  // Intake and assessment ----------------------------------------------------------------------------

  /**
   * Moves a case on to `to` (by way of `through`, when given), recording every status it passes
   * through on the way with who, when and why. `actor` null is the system (a job).
   */
  private async move(
    trx: Tx,
    actor: Actor | null,
    complaint: ComplaintRow,
    to: ComplaintStatus,
    change: {
      outcome?: ComplaintOutcome | null;
      reason?: string | null;
      set?: RowUpdate<'complaints'>;
      through?: ComplaintStatus;
    },
  ): Promise<void> {
    const steps = stepsTo(complaint.status, to, change.through);
    if (!steps) throw new DomainError('conflict', `The complaint is ${complaint.status}: it cannot move to ${to}`);
    const now = this.clock.now();
    // A case passes through what it would otherwise skip (intake, assessment): each step is recorded on its own.
    let from = complaint.status;
    for (const step of steps.slice(0, -1)) {
      await this.recordMove(trx, actor, complaint, { from, to: step, reason: stepReason(step), at: now });
      from = step;
    }
    await ComplaintsRepository.in(trx).updateComplaint(complaint.id, {
      status: to,
      updated_at: now,
      ...(to === 'closed'
        ? { closed_at: now, outcome: change.outcome ?? null, outcome_reason: change.reason ?? null }
        : {}),
      ...(steps.includes('assessment') ? { assessment_started_at: now } : {}),
      ...(change.set ?? {}),
    });
    await this.recordMove(trx, actor, complaint, {
      from,
      to,
      outcome: change.outcome ?? null,
      reason: change.reason ?? null,
      at: now,
    });
  }

  /** One step of a move: its status history row (who, when, why) and its audit row. */
  private async recordMove(
    trx: Tx,
    actor: Actor | null,
    complaint: ComplaintRow,
    step: {
      from: ComplaintStatus;
      to: ComplaintStatus;
      outcome?: ComplaintOutcome | null;
      reason: string | null;
      at: Date;
    },
  ): Promise<void> {
    await ComplaintsRepository.in(trx).recordStatus(complaint, {
      from: step.from,
      to: step.to,
      outcome: step.outcome ?? null,
      reason: step.reason,
      by: statusActor(actor),
      at: step.at,
    });
    await writeAudit(trx, {
      actor: actor ? auditActor(actor) : SYSTEM_ACTOR,
      action: step.to === 'closed' ? `complaint.closed.${step.outcome ?? 'other'}` : `complaint.moved.${step.to}`,
      recordType: 'complaint',
      recordId: complaint.id,
      authorityId: complaint.authority_id,
      requestId: actor?.requestId ?? null,
    });
  }

  /**
   * Moves a case on inside the caller's transaction: decisions, remedies and public reports take a
   * case through decision → remedy → closed this way. Locks the row first; a move the status rules
   * forbid is a conflict. `actor` null is the system (a job): the history shows the system, never a
   * person or the online form. Returns the row as it was before the move.
   */
  async transition(
    trx: Tx,
    actor: Actor | null,
    id: string,
    to: ComplaintStatus,
    change: { outcome?: ComplaintOutcome | null; reason?: string | null } = {},
  ): Promise<ComplaintRow> {
    const complaint = await this.lockOpen(trx, id);
    if (complaint.status !== to) await this.move(trx, actor, complaint, to, change);
    return complaint;
  }

  /**
   * Opens a new case linked to another, inside the caller's transaction (a remedy not complete and
   * not satisfied): the same authority, service area, summary and parties, a new reference from the
   * same counter as receive(), starting at intake as any complaint an officer records does. Returns the
   * new case's id.
   */
  async openLinkedCase(trx: Tx, actor: Actor, fromComplaintId: string, reason: string): Promise<string> {
    const from = await this.lockOpen(trx, fromComplaintId);
    const now = this.clock.now();
    const today = this.calendar.londonDate(now);
    const repo = ComplaintsRepository.in(trx);
    const reference = formatReference(Number(today.slice(2, 4)), await repo.nextSequence(Number(today.slice(2, 4))));
    const created = await repo.insertComplaint({
      reference,
      authority_id: from.authority_id,
      service_area: from.service_area,
      status: firstStatus(true),
      channel: from.channel,
      summary: `${reason}. ${from.summary}`,
      injustice: from.injustice,
      outcome_wanted: from.outcome_wanted,
      authority_process_finished: true,
      received_at: now,
      created_by: actor.type === 'user' ? actor.id : null,
      created_at: now,
      updated_at: now,
      linked_from_complaint_id: from.id,
    });
    const parties = await repo.parties(from.id);
    for (const p of parties) {
      await repo.insertParty({
        complaint_id: created.id,
        authority_id: from.authority_id,
        role: p.role,
        name: p.name,
        email: p.email,
        phone: p.phone,
        address: p.address,
        communication_needs: p.communication_needs,
        relationship: p.relationship,
        consent_to_share: p.consent_to_share,
        created_at: now,
        updated_at: now,
      });
    }
    await repo.recordStatus(created, {
      from: null,
      to: firstStatus(true),
      reason: `Opened from case ${from.reference}: ${reason}`,
      by: statusActor(actor),
      at: now,
    });
    await writeAudit(trx, {
      actor: auditActor(actor),
      action: 'complaint.opened-linked',
      recordType: 'complaint',
      recordId: created.id,
      authorityId: from.authority_id,
      requestId: actor.requestId ?? null,
    });
    return created.id;
  }

  private async lockOpen(trx: Tx, id: string): Promise<ComplaintRow> {
    const complaint = isUuid(id) ? await ComplaintsRepository.in(trx).findForUpdate(id) : undefined;
    if (!complaint) throw notFound('The complaint');
    return complaint;
  }

  /**
   * An intake officer takes up a complaint that arrived on its own (the public form): it moves from
   * received to intake, and the history records who started the checks and when.
   */
  async startIntake(actor: Actor, id: string): Promise<void> {
    this.require(actor, 'complaints:intake');
    await this.db.transaction().execute(async (trx) => {
      const complaint = await this.lockOpen(trx, id);
      if (complaint.status !== 'received')
        throw new DomainError('conflict', 'Intake has already started on this complaint');
      await this.move(trx, actor, complaint, 'intake', { reason: INTAKE_STARTED });
    });
  }

  /**
   * Intake: send the complaint on to assessment (a late complaint needs the reason it may proceed),
   * or close it as premature, referring it back; the authority's link officers are told. A decision
   * on a complaint still received starts intake first, so the history never skips it.
   */
  async intake(
    actor: Actor,
    id: string,
    input: { action: 'assessment' | 'premature'; reason: string | null; lateReason: string | null },
  ) {
    this.require(actor, 'complaints:intake');
    await this.db.transaction().execute(async (trx) => {
      const complaint = await this.lockOpen(trx, id);
      if (!QUEUE_STATUSES.includes(complaint.status) || complaint.status === 'assessment')
        throw new DomainError('conflict', 'Intake is finished for this complaint');
      if (input.action === 'premature') {
        await this.move(trx, actor, complaint, 'closed', { outcome: 'premature', reason: input.reason });
        await this.tellOfOutcome(trx, actor, complaint, 'premature', input.reason);
        return;
      }
      if (complaint.late && !complaint.late_reason && !input.lateReason)
        throw invalid([{ field: 'lateReason', message: 'The complaint is late: enter the reason it may go ahead' }]);
      await this.move(trx, actor, complaint, 'assessment', {
        reason: 'Intake complete',
        set: input.lateReason ? { late_reason: input.lateReason } : {},
      });
    });
  }

  /**
   * The assessment decision, the one set of rules for the staff page and the API. Investigate moves
   * the case to investigation, allocated to the investigator given or else unallocated (a late
   * complaint needs the reason it may go ahead); every other outcome closes the case, needs a reason
   * and is told to the complainant, and to the authority unless the authority is never told of it.
   * A case still at intake (or received) passes through assessment first, each step recorded.
   */
  async assess(actor: Actor, id: string, input: AssessmentInput): Promise<void> {
    this.require(actor, 'complaints:assess');
    const problems: FieldError[] = [];
    if (needsReason(input.outcome) && !input.reason)
      problems.push({ field: 'reason', message: 'Enter the reason for the decision' });
    // The investigator is optional: without one the case goes to investigation unallocated.
    if (input.outcome === 'investigate' && !(await this.mayBeAllocated(input.investigatorId)))
      problems.push({ field: 'investigatorId', message: 'Select an investigator from the list' });
    if (problems.length > 0) throw invalid(problems);
    await this.db.transaction().execute(async (trx) => {
      const complaint = await this.lockOpen(trx, id);
      if (!QUEUE_STATUSES.includes(complaint.status))
        throw new DomainError('conflict', 'The complaint has already been assessed');
      const outcome = closingOutcome(input.outcome);
      if (outcome === null) {
        if (complaint.late && !complaint.late_reason && !input.lateReason)
          throw invalid([{ field: 'lateReason', message: 'The complaint is late: enter the reason it may go ahead' }]);
        await this.move(trx, actor, complaint, 'investigation', {
          through: 'assessment',
          reason: input.reason ?? ASSESSMENT_OUTCOME_NAMES.investigate,
          set: {
            investigator_id: input.investigatorId,
            ...(input.lateReason ? { late_reason: input.lateReason } : {}),
          },
        });
        for (const hook of this.investigationStartedHooks) await hook(trx, complaint.id);
        return;
      }
      await this.move(trx, actor, complaint, 'closed', { through: 'assessment', outcome, reason: input.reason });
      await this.tellOfOutcome(trx, actor, complaint, input.outcome, input.reason);
    });
  }

  /** Whether a case may be allocated to this user (null: left unallocated): an active investigator or casework manager. */
  private async mayBeAllocated(investigatorId: string | null): Promise<boolean> {
    if (investigatorId === null) return true;
    return (
      isUuid(investigatorId) && (await ComplaintsRepository.in(this.db).isInvestigator(investigatorId)) !== undefined
    );
  }

  /**
   * Allocates a case under investigation (or later) to an investigator, or to another one. A case
   * investigated without one waits unallocated until then (the case list's "Not allocated" filter).
   * Audited; the authority is not told (its letters never name the investigator).
   */
  async allocate(actor: Actor, id: string, investigatorId: string | null): Promise<void> {
    this.require(actor, 'complaints:assess');
    if (investigatorId === null) throw invalid([{ field: 'investigatorId', message: 'Select an investigator' }]);
    if (!(await this.mayBeAllocated(investigatorId)))
      throw invalid([{ field: 'investigatorId', message: 'Select an investigator from the list' }]);
    await this.db.transaction().execute(async (trx) => {
      const complaint = await this.lockOpen(trx, id);
      if (!ALLOCATION_STATUSES.includes(complaint.status))
        throw new DomainError(
          'conflict',
          complaint.status === 'closed'
            ? 'The complaint is closed: it cannot be allocated'
            : 'The complaint has not been assessed yet: allocate it with the assessment decision',
        );
      if (complaint.investigator_id === investigatorId) return;
      await ComplaintsRepository.in(trx).updateComplaint(complaint.id, {
        investigator_id: investigatorId,
        updated_at: this.clock.now(),
      });
      await writeAudit(trx, {
        actor: auditActor(actor),
        action: complaint.investigator_id === null ? 'complaint.allocated' : 'complaint.reallocated',
        recordType: 'complaint',
        recordId: complaint.id,
        authorityId: complaint.authority_id,
        requestId: actor.requestId ?? null,
      });
    });
  }

  /**
   * Who hears of a closing decision: the complainant always; the authority's link officers (whoever
   * takes its correspondence when the letter goes) except for invalid and out-of-jurisdiction cases.
   * The one place these letters are written: as correspondence on the case, in the caller's transaction.
   */
  private async tellOfOutcome(
    trx: Tx,
    actor: Actor,
    complaint: ComplaintRow,
    outcome: AssessmentOutcome,
    reason: string | null,
  ) {
    const named = ASSESSMENT_OUTCOME_NAMES[outcome];
    const parties = await ComplaintsRepository.in(trx).parties(complaint.id);
    const contact =
      parties.find((p) => p.role === 'representative' && p.email) ?? parties.find((p) => p.role === 'complainant');
    if (contact?.email) {
      await this.correspondence.write(trx, {
        complaintId: complaint.id,
        kind: 'message',
        addressees: ['complainant'],
        actor,
        subject: `Your complaint ${complaint.reference}: our decision`,
        text: [
          `Dear ${contact.name},`,
          '',
          `We have looked at your complaint (reference ${complaint.reference}). Our decision: ${named}.`,
          ...(reason ? ['', reason] : []),
          ...(outcome === 'premature'
            ? [
                '',
                'The authority has not yet had the chance to finish its own complaints process. We have referred your complaint back to it. If you remain unhappy when it has replied, you can come back to us.',
              ]
            : []),
        ].join('\n'),
      });
    }
    // The case is closed by now: whether the authority hears of it is the same rule as whether it sees it.
    if (!toldToAuthority({ status: 'closed', outcome: closingOutcome(outcome), documentsRequested: false })) return;
    await this.correspondence.write(trx, {
      complaintId: complaint.id,
      kind: 'message',
      addressees: ['link-officers'],
      actor,
      subject:
        outcome === 'premature'
          ? `Complaint ${complaint.reference} referred back to you as premature`
          : `Complaint ${complaint.reference}: assessment decision`,
      text: [
        'Dear link officer,',
        '',
        outcome === 'premature'
          ? `We have received complaint ${complaint.reference} about your ${SERVICE_AREA_NAMES[complaint.service_area as ServiceArea] ?? 'services'} service. Your complaints process has not finished, so we are referring it back to you to complete. The complainant may come back to us afterwards.`
          : `Our assessment of complaint ${complaint.reference} is complete. Decision: ${named}.`,
        '',
        `Case page: ${this.settings.baseUrl}/portal/complaints/${complaint.id}`,
      ].join('\n'),
    });
  }

  /** Asks the authority for documents at assessment: a request with a due date in working days, sent to its link officers. */
  async requestDocuments(actor: Actor, id: string, description: string): Promise<{ dueOn: string }> {
    this.require(actor, 'complaints:assess');
    return this.db.transaction().execute(async (trx) => {
      const complaint = await this.lockOpen(trx, id);
      if (complaint.status === 'closed') throw new DomainError('conflict', 'The complaint is closed');
      const now = this.clock.now();
      const { date: dueOn } = this.calendar.addWorkingDays(
        this.calendar.londonDate(now),
        this.settings.documentRequestWorkingDays,
      );
      await ComplaintsRepository.in(trx).insertDocumentRequest({
        complaint_id: complaint.id,
        authority_id: complaint.authority_id,
        description,
        due_on: dueOn,
        requested_by: actor.type === 'user' ? actor.id : null,
        requested_at: now,
      });
      await this.correspondence.write(trx, {
        complaintId: complaint.id,
        kind: 'enquiry',
        addressees: ['link-officers'],
        actor,
        subject: `Complaint ${complaint.reference}: documents requested by ${formatDate(dueOn)}`,
        text: [
          'Dear link officer,',
          '',
          `We are assessing complaint ${complaint.reference}. Please send us the following by ${formatDate(dueOn)}:`,
          '',
          description,
          '',
          `Case page: ${this.settings.baseUrl}/portal/complaints/${complaint.id}`,
        ].join('\n'),
      });
      await writeAudit(trx, {
        actor: auditActor(actor),
        action: 'complaint.documents-requested',
        recordType: 'complaint',
        recordId: complaint.id,
        authorityId: complaint.authority_id,
        requestId: actor.requestId ?? null,
      });
      return { dueOn };
    });
  }

  /** Adds a document to a case (staff). */
  async addDocument(
    actor: Actor,
    id: string,
    content: Buffer,
    meta: { filename: string; doNotDisclose: boolean; description: string | null },
  ) {
    this.require(actor, 'complaints:read');
    return this.db.transaction().execute(async (trx) => {
      const complaint = await this.lockOpen(trx, id);
      return this.files.store(trx, content, {
        filename: meta.filename,
        complaintId: complaint.id,
        authorityId: complaint.authority_id,
        doNotDisclose: meta.doNotDisclose,
        description: meta.description,
        uploadedBy: actor,
      });
    });
  }

  // Reading -----------------------------------------------------------------------------------------

  /** The complaint row when the actor may see the case; not found otherwise (so no one learns it exists). */
  private async visible(actor: Actor, id: string): Promise<ComplaintRow> {
    const complaint = isUuid(id) ? await ComplaintsRepository.in(this.db).find(id) : undefined;
    if (!complaint) throw notFound('The complaint');
    await this.mayView(actor, complaint);
    return complaint;
  }

  /** Staff see every case; an authority user only its own authority's, never one it was not told of. */
  private async mayView(actor: Actor, complaint: ComplaintRow): Promise<void> {
    if (actor.authorityId === null) this.require(actor, 'complaints:read');
    else if (
      complaint.authority_id !== actor.authorityId ||
      !can(actor, 'portal:complaints') ||
      !(await ComplaintsRepository.in(this.db).toldToAuthority(complaint.id))
    )
      throw notFound('The complaint');
  }

  /** A case as the actor may see it: staff see everything; an authority user only its own authority's, and the complainant's details only with consent. */
  async getCase(actor: Actor, id: string): Promise<CaseView> {
    const repo = ComplaintsRepository.in(this.db);
    if (!isUuid(id)) throw notFound('The complaint');
    // The case with its authority and investigator names and its parties, in one round trip.
    const found = await repo.findWithNames(id);
    if (!found) throw notFound('The complaint');
    const { complaint, parties } = found;
    await this.mayView(actor, complaint);
    const authority = { name: found.authorityName, kind: found.authorityKind };
    const investigator = found.investigatorName === null ? undefined : { display_name: found.investigatorName };
    const complainant = parties.find((p) => p.role === 'complainant') ?? null;
    const partiesShown = actor.authorityId === null || complainant?.consent_to_share === true;
    const receivedOn = this.calendar.londonDate(complaint.received_at);
    const rule = {
      receivedOn,
      authorityProcessFinished: complaint.authority_process_finished,
      authorityComplainedOn: complaint.authority_complained_on,
      awareOn: complaint.aware_on,
      careProvider: authority?.kind === 'care-provider',
    };
    return {
      complaint,
      authority: { id: complaint.authority_id, name: authority?.name ?? '', kind: authority?.kind ?? '' },
      complainant: partiesShown ? complainant : null,
      representative: partiesShown ? (parties.find((p) => p.role === 'representative') ?? null) : null,
      partiesShown,
      urgentReasons: URGENT_FLAGS.filter((f) => complaint[f]).map((f) => URGENT_NAMES[f]),
      premature: prematureRule(rule),
      late: lateRule(rule),
      clock: QUEUE_STATUSES.includes(complaint.status) ? this.clockFor(complaint.received_at) : null,
      investigatorName: investigator?.display_name ?? null,
    };
  }

  private clockFor(receivedAt: Date): AssessmentClock {
    return assessmentClock(
      this.calendar.workingDaysBetween(this.calendar.londonDate(receivedAt), this.today()),
      this.settings.assessmentTargetWorkingDays,
    );
  }

  /** The case's documents the actor may see (authority users never see those marked not for disclosure). */
  async documents(actor: Actor, id: string) {
    await this.visible(actor, id);
    const rows = await ComplaintsRepository.in(this.db).documents(id);
    // The case is one the actor may see (its authority was told of it).
    return rows.filter((d) => mayOpenDocument(actor, { ...d, case_told: true }));
  }

  async documentRequests(actor: Actor, id: string) {
    // Staff may see every case's requests; only an authority user's access depends on the case.
    if (actor.authorityId === null) this.require(actor, 'complaints:read');
    else await this.visible(actor, id);
    return ComplaintsRepository.in(this.db).documentRequests(id);
  }

  async history(actor: Actor, id: string) {
    await this.visible(actor, id);
    return ComplaintsRepository.in(this.db).history(id);
  }

  /**
   * Everything that has happened on a case, newest first: the authority's own handling (its local
   * stages, when recorded), status changes, documents, requests, and every registered source. The
   * authority sees only the events meant for it, without staff names or staff links.
   */
  async timeline(actor: Actor, id: string): Promise<TimelineEvent[]> {
    const complaint = await this.visible(actor, id);
    const repo = ComplaintsRepository.in(this.db);
    const [history, documents, requests, ...extra] = await Promise.all([
      repo.history(id),
      repo.documents(id),
      repo.documentRequests(id),
      ...this.timelineSources.map((source) => source(id)),
    ]);
    const onDay = (d: string) => new Date(`${d}T00:00:00Z`);
    const events: TimelineEvent[] = [
      ...(complaint.authority_complained_on
        ? [
            {
              at: onDay(complaint.authority_complained_on),
              kind: 'authority-handling',
              label: 'Complaint made to the authority',
              actorRole: 'Complainant',
              authorityVisible: true,
            } satisfies TimelineEvent,
          ]
        : []),
      ...(complaint.authority_final_response_on
        ? [
            {
              at: onDay(complaint.authority_final_response_on),
              kind: 'authority-handling',
              label: 'The authority’s final response to the complaint',
              actorRole: 'Authority',
              authorityVisible: true,
            } satisfies TimelineEvent,
          ]
        : []),
      // Newest first, so status changes made in the same instant (intake or assessment started
      // by the decision that ends it) keep their order through the stable sort below.
      ...[...history].reverse().map((h): TimelineEvent => {
        const who = shownActor(h);
        return {
          at: h.changed_at,
          kind: h.to_status === 'closed' ? 'closure' : h.from_status === null ? 'complaint' : 'assessment',
          authorityVisible: true,
          label:
            h.to_status === 'closed'
              ? `Closed: ${h.outcome ? OUTCOME_NAMES[h.outcome] : 'no outcome recorded'}`
              : h.from_status === null
                ? 'Complaint received'
                : `Moved to ${h.to_status}`,
          text: h.reason,
          actorRole: who.role,
          by: who.by,
          actor:
            h.changed_by_type !== 'token' && h.changed_by !== null
              ? { userId: h.changed_by, acting: statusChangePermissions(h.from_status) }
              : null,
        };
      }),
      ...documents.map((d): TimelineEvent => ({
        at: d.uploaded_at,
        kind: 'document',
        authorityVisible: !d.do_not_disclose,
        label: `Document added: ${d.filename}`,
        text: d.do_not_disclose ? 'Not for disclosure' : (d.description ?? null),
        actorRole: null,
        by: d.uploaded_by_name ?? null,
        actor: { userId: d.uploaded_by, acting: UPLOAD_PERMISSIONS },
        documents: [{ id: d.id, filename: d.filename }],
        href: `/staff/documents/${d.id}`,
      })),
      ...requests.map((r): TimelineEvent => ({
        at: r.requested_at,
        kind: 'assessment',
        authorityVisible: true,
        label: `Documents requested from the authority, due ${formatDate(r.due_on)}`,
        text: r.description,
        actorRole: 'Ombudsman',
        by: r.requested_by_name ?? null,
        actor: { userId: r.requested_by, acting: ['complaints:assess'] },
      })),
      ...extra.flat(),
    ];
    const sorted = events.sort((a, b) => b.at.getTime() - a.at.getTime());
    const people = await repo.people([...new Set(sorted.flatMap((e) => (e.actor?.userId ? [e.actor.userId] : [])))]);
    const named = sorted.map((e) => this.named(e, people, actor.authorityId));
    if (actor.authorityId === null) return named;
    return named
      .filter((e) => e.authorityVisible)
      .map((e) => ({ ...e, href: e.portalHref ?? null, portalHref: null, documents: e.documents ?? [] }));
  }

  /**
   * An event with its actor named by the role they acted in. Staff see every person's name; the
   * authority sees who acted by role only.
   */
  private named(e: TimelineEvent, people: Map<string, TimelinePerson>, viewerAuthority: string | null): TimelineEvent {
    const { actor: acted, ...event } = e;
    const person = acted?.userId ? people.get(acted.userId) : undefined;
    const role = person && acted ? (actingRoleName(person.roles, acted.acting) ?? event.actorRole) : event.actorRole;
    const by = person ? person.name : event.by;
    return { ...event, actorRole: role ?? null, by: viewerAuthority === null ? (by ?? null) : null };
  }

  private toSummary(r: ListRow): CaseSummary {
    return {
      id: r.id,
      reference: r.reference,
      status: r.status,
      authorityId: r.authority_id,
      authorityName: r.authority_name,
      serviceArea: r.service_area,
      urgent: r.urgent,
      outcome: r.outcome,
      receivedAt: r.received_at,
      investigatorId: r.investigator_id,
    };
  }

  /** How many of an authority's complaints are open (not closed), for the directory's authority page. */
  async countOpenForAuthority(actor: Actor, authorityId: string): Promise<number> {
    this.require(actor, 'complaints:read');
    return ComplaintsRepository.in(this.db).countOpenForAuthority(authorityId);
  }

  /** The case list with filters, newest first, by keyset. Authority actors see their own authority's only. */
  async list(actor: Actor, filters: ListFilters, cursor: string | undefined, limit = 50): Promise<Page<CaseSummary>> {
    if (actor.authorityId === null) this.require(actor, 'complaints:read');
    else if (!can(actor, 'portal:complaints')) throw forbidden();
    const scoped: ListFilters = {
      ...filters,
      ...(actor.authorityId !== null ? { authorityId: actor.authorityId, hideUntold: true } : {}),
    };
    if (filters.reference !== undefined) {
      const ref = normaliseReference(filters.reference);
      if (!ref) throw invalid([{ field: 'reference', message: 'Enter a reference like 26 001 234' }]);
      scoped.reference = ref;
    }
    const after = cursor ? decodeCursor(cursor, listCursor) : null;
    const rows = await CaseListsRepository.in(this.db).list(scoped, after, limit, this.today());
    const page = toPage(rows, limit, (r) => [r.received_key, r.id]);
    return { items: page.items.map((r) => this.toSummary(r)), nextCursor: page.nextCursor };
  }

  /** The assessment queue: urgent cases first, then the oldest, each with its working-day clock. */
  async queue(
    actor: Actor,
    cursor: string | undefined,
    limit = 50,
  ): Promise<Page<QueueItem> & { total: number; urgent: number }> {
    this.require(actor, 'complaints:read');
    const repo = CaseListsRepository.in(this.db);
    const after = cursor ? decodeCursor(cursor, queueCursor) : null;
    const [rows, counts] = await Promise.all([repo.queue(after, limit), repo.countQueue()]);
    const page = toPage(rows, limit, (r) => [r.urgent ? 0 : 1, r.received_key, r.id]);
    return {
      total: counts.total,
      urgent: counts.urgent,
      nextCursor: page.nextCursor,
      items: page.items.map((r) => ({
        id: r.id,
        reference: r.reference,
        status: r.status,
        authorityId: r.authority_id,
        authorityName: r.authority_name,
        serviceArea: r.service_area,
        urgent: r.urgent,
        outcome: null,
        receivedAt: r.received_at,
        investigatorId: null,
        urgentReasons: URGENT_FLAGS.filter((f) => r[f]).map((f) => URGENT_NAMES[f]),
        clock: this.clockFor(r.received_at),
        premature: r.premature,
        late: r.late,
      })),
    };
  }

  investigators() {
    return ComplaintsRepository.in(this.db).investigators();
  }

  // The public form's drafts -----------------------------------------------------------------------------

  private static hashToken(token: string): string {
    return crypto.createHash('sha256').update(token).digest('hex');
  }

  /** The answers of a draft, or null when there is none (or it is more than 24 hours old). */
  async readDraft(token: string | undefined, db: DbOrTx = this.db): Promise<Record<string, unknown> | null> {
    if (!token || !/^[\w-]{43}$/.test(token)) return null;
    const row = await new ComplaintDraftsRepository(db).find(ComplaintsService.hashToken(token));
    if (!row || row.updated_at.getTime() < this.clock.now().getTime() - DRAFT_TTL_MS) return null;
    return row.answers;
  }

  /** Saves answers to the draft (merging), starting one when there is none; returns the token to keep in the cookie. */
  async saveDraft(token: string | undefined, answers: Record<string, unknown>, db: DbOrTx = this.db): Promise<string> {
    const existing = await this.readDraft(token, db);
    const now = this.clock.now();
    const use = existing !== null && token ? token : crypto.randomBytes(32).toString('base64url');
    const merged = { ...(existing ?? {}), ...answers };
    await new ComplaintDraftsRepository(db).save(ComplaintsService.hashToken(use), JSON.stringify(merged), now);
    return use;
  }

  /**
   * Stores an attachment for a draft (not yet filed to any case, within the budget for all drafts'
   * files) and records it in the draft, in one transaction. Returns the token to keep in the cookie
   * and the name the file was stored under.
   */
  async attachToDraft(
    token: string | undefined,
    content: Buffer,
    filename: string,
  ): Promise<{ token: string; filename: string }> {
    const answers = (await this.readDraft(token)) ?? {};
    const current = Array.isArray(answers.documents) ? (answers.documents as { id: string; filename: string }[]) : [];
    if (current.length >= 5)
      throw invalid([{ field: 'file', message: 'You can attach up to 5 files: remove one to add another' }]);
    return this.db.transaction().execute(async (trx) => {
      const row = await this.files.storeUnfiled(trx, content, { filename });
      const documents = [...current, { id: row.id, filename: row.filename }];
      return { token: await this.saveDraft(token, { documents }, trx), filename: row.filename };
    });
  }

  /** Submits a draft: the complaint is recorded and the draft, with its personal data, deleted. */
  async submitDraft(token: string | undefined, input: Omit<NewComplaint, 'documentIds'>) {
    const answers = await this.readDraft(token);
    if (!answers || !token) throw new DomainError('gone', 'Your answers have expired: start again');
    const docs = Array.isArray(answers.documents) ? (answers.documents as { id: string }[]).map((d) => d.id) : [];
    const created = await this.receive(null, { ...input, documentIds: docs });
    await new ComplaintDraftsRepository(this.db).delete(ComplaintsService.hashToken(token));
    return created;
  }

  /**
   * Deletes drafts untouched for 24 hours, and the attachments that were never filed with them: their
   * rows with the drafts, then their files once that has committed.
   */
  async sweepDrafts(): Promise<number> {
    const cutoff = new Date(this.clock.now().getTime() - DRAFT_TTL_MS);
    const swept = await this.db.transaction().execute(async (trx) => {
      const drafts = new ComplaintDraftsRepository(trx);
      const old = await drafts.deleteUntouchedSince(cutoff);
      const ids = old.flatMap((d) =>
        Array.isArray(d.answers.documents)
          ? (d.answers.documents as { id: string }[]).map((x) => x.id).filter(isUuid)
          : [],
      );
      const documents = ids.length > 0 ? await drafts.deleteUnfiledDocuments(ids) : [];
      return { drafts: old.length, storageKeys: documents.map((d) => d.storage_key) };
    });
    await this.files.discard(swept.storageKeys);
    return swept.drafts;
  }
}
