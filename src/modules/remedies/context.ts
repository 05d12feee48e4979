import type { WorkingCalendar } from '../../platform/calendar/calendar.ts';
import type { Clock } from '../../platform/clock.ts';
import type { Tx } from '../../platform/db/database.ts';
import { formatDate } from '../../platform/dates.ts';
import { forbidden } from '../../platform/errors.ts';
import type { FilesService } from '../../platform/files/files.service.ts';
import { auditEventBy, can, type Actor } from '../accounts/domain.ts';
import type { CaseDocuments } from '../complaints/case-documents.ts';
import type { ComplaintsService } from '../complaints/complaints.service.ts';
import type { CorrespondenceService } from '../correspondence/correspondence.service.ts';
import type { RemedySettings } from './domain.ts';
import type { RemedyListsRepository } from './lists.repository.ts';
import type { RemediesRepository } from './remedies.repository.ts';
import type { RemedyRemindersRepository } from './reminders.repository.ts';

export interface RemediesServiceSettings extends RemedySettings {
  baseUrl: string;
}

/** The decisions module's part: closing a case when no work is left on it. */
export interface CaseCloser {
  closeIfComplete(trx: Tx, actor: Actor, complaintId: string): Promise<boolean>;
}

/** What every remedies use case works with: the module's repositories, the clock and calendar, and the services it calls. */
export interface RemediesContext {
  repo: RemediesRepository;
  lists: RemedyListsRepository;
  reminders: RemedyRemindersRepository;
  clock: Clock;
  calendar: WorkingCalendar;
  files: FilesService;
  documents: CaseDocuments;
  correspondence: CorrespondenceService;
  complaints: ComplaintsService;
  closer: CaseCloser;
  settings: RemediesServiceSettings;
}

export const NOT_AGREED =
  'This remedy has not been agreed: evidence is taken only for remedies agreed in a final decision';
export const DONE = 'This remedy has already been complied with';
export const CLOSED = 'This remedy is closed: it was found not complete and not satisfied';

export const dayName = formatDate;

/** The remedy's audit row, written through the repository of the change's transaction. */
export function audit(repo: RemediesRepository, actor: Actor, action: string, recordId: string, authorityId: string) {
  return repo.audit(auditEventBy(actor, action, { type: 'remedy', id: recordId, authorityId }));
}

export function staffOnly(actor: Actor, permission: 'remedies:read' | 'remedies:review' | 'remedies:escalate'): void {
  if (actor.authorityId !== null || !can(actor, permission)) throw forbidden();
}

/** Staff with remedies:read see every remedy; an authority's users and tokens only their own (others are not found). */
export function mayRead(actor: Actor, authorityId: string): boolean {
  if (actor.authorityId === null) return can(actor, 'remedies:read');
  return actor.authorityId === authorityId && can(actor, 'remedies:portal');
}
