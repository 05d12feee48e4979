import type { Kysely } from 'kysely';
import type { WorkingCalendar } from '../../platform/calendar/calendar.ts';
import type { Clock } from '../../platform/clock.ts';
import type { Database } from '../../platform/db/schema.ts';
import { encodeCursor } from '../../platform/pagination.ts';
import type { Snapshots } from '../../platform/snapshot.ts';
import { londonToday } from '../../platform/calendar/today.ts';
import type { Actor } from '../accounts/domain.ts';
import { localComplaintsContext, type LocalComplaintsContext, type NewLocalComplaint } from './context.ts';
import { formatDay } from './domain.ts';
import type { EventInput } from './events.ts';
import * as imports from './imports.ts';
import * as intake from './intake.ts';
import type { ColumnMapping } from './local-complaints.csv.ts';
import type { LogFilter } from './local-complaints.repository.ts';
import * as records from './records.ts';
import * as selfAssessment from './self-assessment.ts';

export type { Dates, NewLocalComplaint } from './context.ts';

/**
 * The authority's own complaints: entered in the portal, pushed over the API or imported from its
 * complaints system, with the Code's clocks; linked to an ombudsman case by intake; the
 * authority's oversight and annual self-assessment. Authority users see their own authority's
 * records; ombudsman staff see a record only once it is linked to a case, and aggregates otherwise.
 * Each group of use cases is in its own file; this class is their one door.
 */
export class LocalComplaintsService {
  private readonly ctx: LocalComplaintsContext;

  constructor(
    db: Kysely<Database>,
    clock: Clock,
    calendar: WorkingCalendar,
    /** Where the oversight figures are kept for `DASHBOARD_CACHE_SECONDS`; none: read every time. */
    snapshots: Snapshots | null = null,
  ) {
    this.ctx = localComplaintsContext(db, clock, calendar, snapshots);
  }

  today(): string {
    return londonToday(this.ctx);
  }

  // The authority's records and its log.
  create = (actor: Actor, input: NewLocalComplaint) => records.create(this.ctx, actor, input);
  recordEvent = (actor: Actor, id: string, event: EventInput) => records.recordEvent(this.ctx, actor, id, event);
  get = (actor: Actor, id: string) => records.get(this.ctx, actor, id);
  dates = (actor: Actor, id: string) => records.dates(this.ctx, actor, id);
  log = (actor: Actor, filter: Omit<LogFilter, 'today' | 'dueSoonBy'>, cursor: string | undefined, limit = 50) =>
    records.log(this.ctx, actor, filter, cursor, limit);
  authorityName = (actor: Actor) => records.authorityName(this.ctx, actor);
  sweepRetention = () => records.sweepRetention(this.ctx);

  // Imports.
  mapping = (actor: Actor) => imports.mapping(this.ctx, actor);
  checkImport = (actor: Actor, fileName: string, bytes: Uint8Array, mapping: ColumnMapping) =>
    imports.checkImport(this.ctx, actor, fileName, bytes, mapping);
  getImport = (actor: Actor, id: string) => imports.getImport(this.ctx, actor, id);
  recentImports = (actor: Actor) => imports.recentImports(this.ctx, actor);
  applyImport = (actor: Actor, id: string) => imports.applyImport(this.ctx, actor, id);
  importFinished = (id: string) => imports.importFinished(this.ctx, id);

  // The ombudsman's side.
  candidates = (actor: Actor, c: Parameters<typeof intake.candidates>[2]) => intake.candidates(this.ctx, actor, c);
  link = (actor: Actor, complaint: { id: string; authorityId: string }, localId: string) =>
    intake.link(this.ctx, actor, complaint, localId);
  linkedTo = (actor: Actor, complaintId: string) => intake.linkedTo(this.ctx, actor, complaintId);
  timelineEvents = (complaintId: string) => intake.timelineEvents(this.ctx, complaintId);
  aggregate = (actor: Actor, authorityId: string) => intake.aggregate(this.ctx, actor, authorityId);

  // Oversight.
  yearOf = selfAssessment.yearOf;
  oversight = (actor: Actor, year: number | undefined) => selfAssessment.oversight(this.ctx, actor, year);
  selfAssessmentText = (actor: Actor, label: string) => selfAssessment.selfAssessmentText(this.ctx, actor, label);
  saveSelfAssessment = (actor: Actor, label: string, text: Record<string, string>) =>
    selfAssessment.saveSelfAssessment(this.ctx, actor, label, text);

  describeDay = formatDay;
}

export { encodeCursor };
