import type { IsoDate } from '../../platform/calendar/calendar.ts';
import { conflict, invalid, notFound } from '../../platform/errors.ts';
import type { Actor } from '../accounts/domain.ts';
import { REMEDY_TYPE_NAMES } from '../decisions/domain.ts';
import { CLOSED, DONE, NOT_AGREED, audit, dayName, staffOnly, type RemediesContext } from './context.ts';
import type { ManagerAction } from './domain.ts';

/* Escalation: a casework manager's actions on a remedy not complied with. */

export interface ActionInput {
  action: ManagerAction;
  note: string;
  newDueOn?: IsoDate | null;
}

/**
 * A casework manager's action on a remedy not complied with, recorded with a note: writing to the
 * chief executive (the letter goes out), more time (exceptional: a reason and a later date),
 * a case conference, considering a public report, or the outcome "not complete and not
 * satisfied", which closes the remedy and opens a new case linked to this one.
 */
export async function takeAction(
  ctx: RemediesContext,
  actor: Actor,
  remedyId: string,
  input: ActionInput,
): Promise<{ linkedComplaintId: string | null }> {
  staffOnly(actor, 'remedies:escalate');
  const note = input.note.trim();
  const problems = [];
  if (note.length === 0)
    problems.push({
      field: 'note',
      message:
        input.action === 'more-time' ? 'Give the exceptional reason for more time' : 'Enter a note of what was done',
    });
  if (input.action === 'more-time' && !input.newDueOn)
    problems.push({ field: 'newDueOn', message: 'Enter the new due date' });
  if (problems.length > 0) throw invalid(problems);
  return ctx.repo.transaction(async (repo, trx) => {
    const remedy = await repo.lock(remedyId);
    if (!remedy) throw notFound('The remedy');
    if (remedy.status !== 'agreed' || remedy.due_on === null)
      throw conflict(remedy.status === 'complied' ? DONE : remedy.status === 'not-satisfied' ? CLOSED : NOT_AGREED);
    const now = ctx.clock.now();
    const today = ctx.calendar.londonDate(now);
    const reference = await repo.reference(remedy.complaint_id);
    let linked: string | null = null;
    let newDue: string | null = null;
    switch (input.action) {
      case 'more-time': {
        newDue = input.newDueOn ?? null;
        if (newDue === null || newDue <= today || newDue <= remedy.due_on)
          throw invalid([
            { field: 'newDueOn', message: 'The new due date must be after today and after the current due date' },
          ]);
        if (!ctx.calendar.isWorkingDay(newDue))
          throw invalid([{ field: 'newDueOn', message: 'The new due date must be a working day' }]);
        await repo.update(remedy.id, {
          due_on: newDue,
          escalated_at: null,
          due_rule: JSON.stringify({
            ruleId: 'more-time',
            startDate: remedy.due_on,
            workingDays: ctx.calendar.workingDaysBetween(remedy.due_on, newDue),
            holidaySet: 'england-and-wales',
            closures: [...ctx.calendar.closures],
          }),
        });
        await ctx.correspondence.write(trx, {
          complaintId: remedy.complaint_id,
          kind: 'message',
          addressees: ['link-officers'],
          subject: `More time agreed for a remedy: complaint ${reference}`,
          text: `Exceptionally, we have agreed more time for this remedy on complaint ${reference}:\n${REMEDY_TYPE_NAMES[remedy.type]}: ${remedy.description}\n\nIt is now due on ${dayName(newDue)}.`,
          actor,
        });
        break;
      }
      case 'wrote-to-chief-executive':
        await ctx.correspondence.write(trx, {
          complaintId: remedy.complaint_id,
          kind: 'message',
          addressees: ['chief-executive'],
          letter: true,
          subject: `Remedy not complied with: complaint ${reference}`,
          text: [
            `The council agreed to carry out this remedy on complaint ${reference} by ${dayName(remedy.due_on)}:`,
            `${REMEDY_TYPE_NAMES[remedy.type]}: ${remedy.description}`,
            '',
            'We have not received evidence that it has been done.',
            '',
            note,
          ].join('\n'),
          actor,
        });
        break;
      case 'not-satisfied': {
        linked = await ctx.complaints.openLinkedCase(
          trx,
          actor,
          remedy.complaint_id,
          `Remedy not complete and not satisfied on complaint ${reference}`,
        );
        await repo.update(remedy.id, {
          status: 'not-satisfied',
          closed_at: now,
          escalated_at: null,
          linked_complaint_id: linked,
        });
        break;
      }
      case 'case-conference':
      case 'consider-public-report':
        break;
    }
    await repo.insertAction({
      remedy_id: remedy.id,
      complaint_id: remedy.complaint_id,
      authority_id: remedy.authority_id,
      action: input.action,
      note,
      previous_due_on: input.action === 'more-time' ? remedy.due_on : null,
      new_due_on: newDue,
      linked_complaint_id: linked,
      taken_by: actor.type === 'user' ? actor.id : null,
      taken_at: now,
    });
    await audit(repo, actor, `remedy.action-${input.action}`, remedy.id, remedy.authority_id);
    if (input.action === 'not-satisfied' && (await repo.countOutstanding(remedy.complaint_id)) === 0)
      await ctx.closer.closeIfComplete(trx, actor, remedy.complaint_id);
    return { linkedComplaintId: linked };
  });
}
