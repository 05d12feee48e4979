import type { WorkingCalendar } from '../../platform/calendar/calendar.ts';
import type { Clock } from '../../platform/clock.ts';
import type { DbOrTx } from '../../platform/db/database.ts';
import type { Actor } from '../accounts/domain.ts';
import type { CaseMarker, TimelineEvent } from '../complaints/complaints.service.ts';
import type { InboundFiledHook } from '../correspondence/correspondence.service.ts';
import type { Panel } from '../home/panels.ts';
import type { PeopleService } from '../people/people.service.ts';
import * as calls from './calls.ts';
import type { CallInput } from './calls.ts';
import {
  conductContext,
  policy,
  type ConductContext,
  type ConductCorrespondence,
  type ConductPublications,
  type ConductSettings,
  type PolicyLink,
} from './context.ts';
import type { RecordInput } from './domain.ts';
import * as hooks from './hooks.ts';
import * as reading from './reading.ts';
import { record } from './recording.ts';
import * as reviews from './reviews.ts';
import type { ReviewInput } from './reviews.ts';
import type { Outbox } from '../../platform/mail/outbox.ts';

export type { CallInput } from './calls.ts';
export type { ConductCorrespondence, ConductPublications, PolicyLink } from './context.ts';
export { linesOf, termsOf } from './context.ts';
export type { ReviewInput } from './reviews.ts';

/**
 * Warnings and contact restrictions on a person: recorded by a casework manager with the rules
 * (a warning first unless staff safety is at risk; a review within twelve months), the decision
 * letter sent once and recorded on every open case, reviews that extend, vary or lift, reminders
 * before a review is due, and contacts from a restricted person filed and flagged, never refused.
 * Each group of use cases is in its own file; this class is their one door.
 */
export class ConductService {
  private readonly ctx: ConductContext;

  constructor(
    db: DbOrTx,
    clock: Clock,
    calendar: WorkingCalendar,
    people: PeopleService,
    correspondence: ConductCorrespondence,
    mail: Outbox,
    settings: ConductSettings,
    publications: ConductPublications | null = null,
  ) {
    this.ctx = conductContext(db, clock, calendar, people, correspondence, mail, settings, publications);
  }

  /**
   * The policy on unreasonable behaviour in the publications library, by its address (followed when
   * the title, and so the address, changed); null while it is not published. Read at most once a minute.
   */
  policy = (): Promise<PolicyLink | null> => policy(this.ctx);

  // Recording, calls and reviews.
  record = (actor: Actor, personId: string, input: RecordInput) => record(this.ctx, actor, personId, input);
  logCall = (actor: Actor, personId: string, input: CallInput) => calls.logCall(this.ctx, actor, personId, input);
  callChoices = (actor: Actor, personId: string) => calls.callChoices(this.ctx, actor, personId);
  review = (actor: Actor, recordId: string, input: ReviewInput) => reviews.review(this.ctx, actor, recordId, input);
  remindReviewsDue = () => reviews.remindReviewsDue(this.ctx);

  // Reading.
  ofPerson = (actor: Actor, personId: string) => reading.ofPerson(this.ctx, actor, personId);
  one = (actor: Actor, id: string) => reading.one(this.ctx, actor, id);
  overview = (actor: Actor) => reading.overview(this.ctx, actor);
  homePanel = (actor: Actor): Promise<Panel | null> => reading.homePanel(this.ctx, actor);
  myQueue = (actor: Actor) => reading.myQueue(this.ctx, actor);
  staff = (actor: Actor) => reading.staff(this.ctx, actor);
  letterPdf = (actor: Actor, id: string) => reading.letterPdf(this.ctx, actor, id);
  restrictionOfCase = (actor: Actor, complaintId: string) => reading.restrictionOfCase(this.ctx, actor, complaintId);
  portalNotice = (actor: Actor, complaintId: string) => reading.portalNotice(this.ctx, actor, complaintId);
  ofCase = (actor: Actor, complaintId: string) => reading.ofCase(this.ctx, actor, complaintId);

  // What other modules ask.
  caseMarkers = (complaintIds: readonly string[]): Promise<Map<string, CaseMarker[]>> =>
    hooks.caseMarkers(this.ctx, complaintIds);
  inboundFiled: InboundFiledHook = (trx, filed) => hooks.inboundFiled(this.ctx, trx, filed);
  erasePerson = (db: DbOrTx, personId: string): Promise<void> => hooks.erasePerson(this.ctx, db, personId);
  linkCheck = (db: DbOrTx, personId: string): Promise<string | null> => hooks.linkCheck(this.ctx, db, personId);
  timeline = (complaintId: string): Promise<TimelineEvent[]> => hooks.timeline(this.ctx, complaintId);
}
