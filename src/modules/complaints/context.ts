import type { Kysely } from 'kysely';
import type { WorkingCalendar } from '../../platform/calendar/calendar.ts';
import { londonToday } from '../../platform/calendar/today.ts';
import type { Clock } from '../../platform/clock.ts';
import type { DbOrTx, Tx } from '../../platform/db/database.ts';
import type { ComplaintStatus, Database } from '../../platform/db/schema.ts';
import { forbidden, notFound } from '../../platform/errors.ts';
import type { FilesService } from '../../platform/files/files.service.ts';
import { can, type Actor, type Permission } from '../accounts/domain.ts';
import type { NewItem } from '../correspondence/domain.ts';
import { type ComplaintOutcome } from './domain.ts';
import { assessmentClock, type AssessmentClock, type RuleFinding } from './rules.ts';
import { type StatusActor } from './status-actors.ts';
import { ComplaintsRepository, type ComplaintRow, type PartyRow } from './complaints.repository.ts';

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

/** Who a status change is recorded as made by: the person or token acting, or the system (a job) when none is. */
export const statusActor = (actor: Actor | null): StatusActor =>
  actor === null
    ? { type: 'system' }
    : actor.type === 'user'
      ? { type: 'user', id: actor.id }
      : { type: 'token', id: actor.id };
export const isUuid = (v: string) => /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(v);

/** What every complaints use case works with: the database, the clock and calendar, files, case mail, the other modules' hooks and the settings. */
export interface ComplaintsContext {
  db: Kysely<Database>;
  clock: Clock;
  calendar: WorkingCalendar;
  files: FilesService;
  correspondence: CaseCorrespondence;
  /** The other modules' entries on a case's timeline (their manifests' `timeline`), filled at start-up. */
  timelineSources: readonly TimelineSource[];
  settings: ComplaintsSettings;
  /** Work other modules do when a case moves to investigation, added at start-up. */
  investigationStartedHooks: InvestigationStartedHook[];
  /** Other modules' markers on cases, added at start-up. */
  markerSources: CaseMarkerSource[];
}

/** Staff only, with the permission: anyone else (an authority's user or token, or no one) is refused. */
export function requireStaff(actor: Actor | null, permission: Permission): asserts actor is Actor {
  if (!actor || actor.authorityId !== null || !can(actor, permission)) throw forbidden();
}

/** The case locked for the caller's transaction; not found when there is none with this id. */
export async function lockOpen(trx: Tx, id: string): Promise<ComplaintRow> {
  const complaint = isUuid(id) ? await ComplaintsRepository.in(trx).findForUpdate(id) : undefined;
  if (!complaint) throw notFound('The complaint');
  return complaint;
}

/** A case's assessment clock: working days since it was received, against the target. */
export function clockFor(ctx: ComplaintsContext, receivedAt: Date): AssessmentClock {
  return assessmentClock(
    ctx.calendar.workingDaysBetween(ctx.calendar.londonDate(receivedAt), londonToday(ctx)),
    ctx.settings.assessmentTargetWorkingDays,
  );
}
