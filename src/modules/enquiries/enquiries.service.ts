import type { Kysely } from 'kysely';
import type { IsoDate, WorkingCalendar } from '../../platform/calendar/calendar.ts';
import type { Clock } from '../../platform/clock.ts';
import type { Database } from '../../platform/db/schema.ts';
import type { FilesService } from '../../platform/files/files.service.ts';
import type { Actor } from '../accounts/domain.ts';
import type { AuthoritiesService } from '../authorities/authorities.service.ts';
import type { CaseDocuments } from '../complaints/case-documents.ts';
import type { CorrespondenceService } from '../correspondence/correspondence.service.ts';
import type { HomeScope } from '../home/scope.ts';
import type { LinkOfficersService } from '../link-officers/link-officers.service.ts';
import * as answers from './answers.ts';
import type { EnquiriesContext, EnquiriesServiceSettings } from './context.ts';
import * as delegation from './delegation.ts';
import type { DelegateSubmission, ExtensionChoice } from './domain.ts';
import { EnquiriesRepository } from './enquiries.repository.ts';
import * as extensions from './extensions.ts';
import * as lists from './lists.ts';
import { EnquiryListsRepository } from './lists.repository.ts';
import * as reading from './reading.ts';
import { EnquiryRemindersRepository } from './reminders.repository.ts';
import * as reminders from './reminders.ts';
import * as response from './response.ts';
import * as sending from './sending.ts';

export type { EnquiriesServiceSettings } from './context.ts';
export type { SendEnquiryInput, SentEnquiry } from './sending.ts';
export type { AnswerInput } from './response.ts';

/**
 * Enquiries to authorities: sending them from a template to the chief executive via the link
 * officers, deadlines with their working, extensions, answers (by link officers and their
 * delegates), the response, reminders and escalation. Each use case is in its own file; this class
 * is their one door.
 */
export class EnquiriesService {
  private readonly ctx: EnquiriesContext;

  constructor(
    db: Kysely<Database>,
    clock: Clock,
    calendar: WorkingCalendar,
    authorities: AuthoritiesService,
    linkOfficers: LinkOfficersService,
    files: FilesService,
    documents: CaseDocuments,
    correspondence: CorrespondenceService,
    settings: EnquiriesServiceSettings,
  ) {
    this.ctx = {
      repo: new EnquiriesRepository(db),
      lists: new EnquiryListsRepository(db),
      reminders: new EnquiryRemindersRepository(db),
      clock,
      calendar,
      authorities,
      linkOfficers,
      files,
      documents,
      correspondence,
      settings,
    };
  }

  // Sending.
  composeContext = (actor: Actor, complaintId: string) => sending.composeContext(this.ctx, actor, complaintId);
  send = (actor: Actor, complaintId: string, input: sending.SendEnquiryInput) =>
    sending.send(this.ctx, actor, complaintId, input);
  notifyAllocation = (complaintId: string) => sending.notifyAllocation(this.ctx, complaintId);

  // Reading.
  get = (actor: Actor, id: string) => reading.get(this.ctx, actor, id);
  forComplaint = (actor: Actor, complaintId: string) => reading.forComplaint(this.ctx, actor, complaintId);
  timelineEvents = (complaintId: string) => reading.timelineEvents(this.ctx, complaintId);

  // Lists: the portal inbox, the staff dashboard and the home pages.
  inbox = (actor: Actor, cursor?: string) => lists.inbox(this.ctx, actor, cursor);
  countOverdueForAuthority = (actor: Actor, authorityId: string) =>
    lists.countOverdueForAuthority(this.ctx, actor, authorityId);
  overdue = (actor: Actor, limit?: number) => lists.overdue(this.ctx, actor, limit);
  homePanel = (actor: Actor | null, scope: HomeScope, o: { dueBy?: IsoDate | null; limit: number }) =>
    lists.homePanel(this.ctx, actor, scope, o);
  delegatedTasks = (actor: Actor | null, authorityId: string, o: { dueBy?: IsoDate | null; limit: number }) =>
    lists.delegatedTasks(this.ctx, actor, authorityId, o);
  onTimeSince = (actor: Actor | null, authorityId: string, from: IsoDate) =>
    lists.onTimeSince(this.ctx, actor, authorityId, from);
  pendingExtensions = (actor: Actor, limit?: number) => lists.pendingExtensions(this.ctx, actor, limit);

  // Extensions.
  requestExtension = (actor: Actor, enquiryId: string, reason: string) =>
    extensions.requestExtension(this.ctx, actor, enquiryId, reason);
  decideExtension = (
    actor: Actor,
    enquiryId: string,
    requestId: string,
    decision: { grant: true; choice: ExtensionChoice; reason: string } | { grant: false; reason: string },
  ) => extensions.decideExtension(this.ctx, actor, enquiryId, requestId, decision);

  // Answers, the response and closing.
  answer = (actor: Actor, enquiryId: string, questionId: string, text: string, ready?: boolean) =>
    answers.answer(this.ctx, actor, enquiryId, questionId, text, ready);
  attachDocument = (
    actor: Actor,
    enquiryId: string,
    questionId: string,
    file: { content: Buffer; filename: string; field?: string },
  ) => answers.attachDocument(this.ctx, actor, enquiryId, questionId, file);
  openDocument = (actor: Actor, enquiryId: string, documentId: string) =>
    answers.openDocument(this.ctx, actor, enquiryId, documentId);
  acceptAnswer = (actor: Actor, enquiryId: string, questionId: string) =>
    answers.acceptAnswer(this.ctx, actor, enquiryId, questionId);
  submitResponse = (actor: Actor, enquiryId: string, given?: response.AnswerInput[]) =>
    response.submitResponse(this.ctx, actor, enquiryId, given);
  close = (actor: Actor, enquiryId: string, reason: string) => response.close(this.ctx, actor, enquiryId, reason);

  // Delegation.
  delegate = (
    actor: Actor,
    enquiryId: string,
    input: { questionId: string | null; delegateUserId: string; internalDueDate: IsoDate },
  ) => delegation.delegate(this.ctx, actor, enquiryId, input);
  delegationDashboard = (actor: Actor) => delegation.delegationDashboard(this.ctx, actor);
  delegatesFor = (actor: Actor) => delegation.delegatesFor(this.ctx, actor);
  setDelegateSubmission = (actor: Actor, mode: DelegateSubmission) =>
    delegation.setDelegateSubmission(this.ctx, actor, mode);

  // The sweep, run by the worker.
  sweep = () => reminders.sweep(this.ctx);
}
