import { writeAudit } from '../../platform/audit/audit.ts';
import type { IsoDate, WorkingCalendar } from '../../platform/calendar/calendar.ts';
import type { Clock } from '../../platform/clock.ts';
import type { Tx } from '../../platform/db/database.ts';
import { formatDate } from '../../platform/dates.ts';
import { forbidden } from '../../platform/errors.ts';
import type { FilesService } from '../../platform/files/files.service.ts';
import { auditEventBy, can, type Actor } from '../accounts/domain.ts';
import type { CorrespondenceService } from '../correspondence/correspondence.service.ts';
import type { DraftForm, DraftSections, FinalOutcome } from '../decisions/domain.ts';
import type { TrackerSettings } from './domain.ts';
import type { PublicReportsRepository } from './public-reports.repository.ts';

/** What this module needs of the decisions module (its DecisionsService). */
export interface DecisionsForReports {
  issueDraftInTx(
    trx: Tx,
    actor: Actor,
    complaintId: string,
    input: { sections: DraftSections; evidenceDocumentIds?: string[] },
    options: { form: DraftForm; commentDueOn?: string },
  ): Promise<{ draftId: string; version: number; commentDueOn: string }>;
  issueFinalInTx(
    trx: Tx,
    actor: Actor,
    complaintId: string,
    input: {
      outcome: FinalOutcome;
      statement: string;
      earlyConfirmed?: boolean | undefined;
      earlyReason?: string | null;
    },
    options: { form: DraftForm },
  ): Promise<{ finalDecisionId: string }>;
  closeIfComplete(trx: Tx, actor: Actor, complaintId: string): Promise<boolean>;
}

export interface PublicReportsSettings extends TrackerSettings {
  baseUrl: string;
  /** Days before a step's due date that the link officers are reminded (0: none before the date). */
  reminderDays: number;
  /** Days after a step's due date that it is escalated to the chief executive. */
  escalationDays: number;
}

/** What every public reports use case works with: the module's repository, the clock and calendar, and the services it calls. */
export interface PublicReportsContext {
  repo: PublicReportsRepository;
  clock: Clock;
  calendar: WorkingCalendar;
  correspondence: CorrespondenceService;
  files: FilesService;
  decisions: DecisionsForReports;
  settings: PublicReportsSettings;
}

export const say = (date: IsoDate) => formatDate(date);

export function manager(actor: Actor): void {
  if (actor.authorityId !== null || !can(actor, 'public-reports:manage')) throw forbidden();
}

/** The report's audit row, written in the change's transaction (`actor` null: the system). */
export function audit(trx: Tx, actor: Actor | null, action: string, recordId: string, authorityId: string) {
  return writeAudit(trx, auditEventBy(actor, action, { type: 'public-report', id: recordId, authorityId }));
}
