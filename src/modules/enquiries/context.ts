import { writeAudit } from '../../platform/audit/audit.ts';
import type { WorkingCalendar } from '../../platform/calendar/calendar.ts';
import type { Clock } from '../../platform/clock.ts';
import type { Tx } from '../../platform/db/database.ts';
import { forbidden, notFound } from '../../platform/errors.ts';
import type { FilesService } from '../../platform/files/files.service.ts';
import { auditEventBy, can, type Actor } from '../accounts/domain.ts';
import type { AuthoritiesService } from '../authorities/authorities.service.ts';
import type { CaseDocuments } from '../complaints/case-documents.ts';
import type { CorrespondenceService } from '../correspondence/correspondence.service.ts';
import type { LinkOfficersService } from '../link-officers/link-officers.service.ts';
import type { EnquirySettings } from './domain.ts';
import type { EnquiriesRepository, EnquiryRow } from './enquiries.repository.ts';
import type { EnquiryListsRepository } from './lists.repository.ts';
import type { EnquiryRemindersRepository } from './reminders.repository.ts';

export interface EnquiriesServiceSettings extends EnquirySettings {
  baseUrl: string;
}

/** What every enquiries use case works with: the module's repositories, the clock and calendar, and the services it calls. */
export interface EnquiriesContext {
  repo: EnquiriesRepository;
  lists: EnquiryListsRepository;
  reminders: EnquiryRemindersRepository;
  clock: Clock;
  calendar: WorkingCalendar;
  authorities: AuthoritiesService;
  linkOfficers: LinkOfficersService;
  files: FilesService;
  documents: CaseDocuments;
  correspondence: CorrespondenceService;
  settings: EnquiriesServiceSettings;
}

export const CLOSED = 'This enquiry is closed: it no longer takes responses or requests';
export const RESPONDED = 'The response to this enquiry has already been sent to the ombudsman';

/** The enquiry's audit row, written in the change's transaction. */
export function audit(trx: Tx, actor: Actor, action: string, recordId: string, authorityId: string) {
  return writeAudit(trx, auditEventBy(actor, action, { type: 'enquiry', id: recordId, authorityId }));
}

export function staffOnly(actor: Actor, permission: 'enquiries:read' | 'enquiries:send'): void {
  if (actor.authorityId !== null || !can(actor, permission)) throw forbidden();
}

/**
 * Who may see an enquiry: staff with read access; the authority's link officers and tokens; a
 * delegate only when given the enquiry or one of its questions. Anyone else: not found.
 */
export async function visible(ctx: EnquiriesContext, actor: Actor, row: EnquiryRow | undefined) {
  if (!row) throw notFound('The enquiry');
  if (actor.authorityId === null) {
    if (!can(actor, 'enquiries:read')) throw forbidden();
    return { scope: 'staff' as const, questionIds: null };
  }
  if (actor.authorityId !== row.authority_id) throw notFound('The enquiry');
  if (actor.roles.includes('link-officer')) return { scope: 'link-officer' as const, questionIds: null };
  if (actor.roles.includes('delegate') && actor.type === 'user') {
    const given = await ctx.repo.delegationsFor(row.id, actor.id);
    if (given.length === 0) throw notFound('The enquiry');
    const whole = given.some((d) => d.question_id === null);
    return {
      scope: 'delegate' as const,
      questionIds: whole ? null : new Set(given.map((d) => d.question_id).filter((q): q is string => q !== null)),
      whole,
    };
  }
  throw notFound('The enquiry');
}
