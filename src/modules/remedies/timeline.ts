import { addDays } from '../../platform/calendar/calendar.ts';
import { londonToday } from '../../platform/calendar/today.ts';
import { ROLE_NAMES } from '../accounts/domain.ts';
import type { TimelineEvent } from '../complaints/complaints.service.ts';
import { REMEDY_TYPE_NAMES, pounds } from '../decisions/domain.ts';
import { dayName, type RemediesContext } from './context.ts';
import { MANAGER_ACTION_NAMES } from './domain.ts';

/** A case's remedies, evidence and managers' actions as timeline events. */
export async function timelineEvents(ctx: RemediesContext, complaintId: string): Promise<TimelineEvent[]> {
  const rows = (await ctx.repo.forComplaint(complaintId)).filter((r) => r.status !== 'superseded');
  const ids = rows.map((r) => r.id);
  const [evidence, actions] = await Promise.all([ctx.repo.evidence(ids), ctx.repo.actions(ids)]);
  const today = londonToday(ctx);
  const events: TimelineEvent[] = [];
  const href = `/staff/complaints/${complaintId}/remedies`;
  for (const r of rows) {
    const what = `${REMEDY_TYPE_NAMES[r.type]}${r.amount_pence ? ` (${pounds(r.amount_pence)})` : ''}: ${r.description}`;
    if (r.agreed_at && r.due_on) {
      events.push({
        at: r.agreed_at,
        kind: 'remedy',
        label: `Remedy agreed, due ${dayName(r.agreed_due_on ?? r.due_on)}`,
        text: what,
        actorRole: 'Ombudsman',
        href,
        authorityVisible: true,
      });
      const lateSince =
        r.due_on < today && (r.status === 'agreed' || (r.complied_on !== null && r.complied_on > r.due_on));
      if (lateSince) {
        events.push({
          at: new Date(`${addDays(r.due_on, 1)}T00:00:00Z`),
          kind: 'remedy',
          label: 'Remedy late: past its due date without accepted evidence',
          text: what,
          href,
          authorityVisible: true,
        });
      }
    } else if (r.status === 'withdrawn' && r.closed_at) {
      events.push({
        at: r.closed_at,
        kind: 'remedy',
        label: 'Proposed remedy withdrawn: no fault found',
        text: what,
        href,
        authorityVisible: true,
      });
    }
    if (r.escalated_at)
      events.push({
        at: r.escalated_at,
        kind: 'remedy',
        label: 'Remedy escalated to a casework manager',
        text: what,
        href,
        authorityVisible: false,
      });
  }
  for (const e of evidence) {
    const docs = e.document_id && e.document_filename ? [{ id: e.document_id, filename: e.document_filename }] : [];
    events.push({
      at: e.submitted_at,
      kind: 'evidence',
      label: `Evidence of compliance sent${e.late ? ' late' : ''}`,
      text: e.description,
      actorRole: e.submitted_by_token ? 'Authority (API)' : ROLE_NAMES['link-officer'],
      by: e.submitted_by_name,
      actor: { userId: e.submitted_by, acting: ['remedies:portal'] },
      documents: docs,
      href,
      authorityVisible: true,
    });
    if (e.reviewed_at && e.status !== 'submitted') {
      events.push({
        at: e.reviewed_at,
        kind: 'evidence',
        label: e.status === 'accepted' ? 'Evidence accepted: remedy complied with' : 'Evidence returned',
        text: e.review_reason,
        actorRole: ROLE_NAMES['team-coordinator'],
        by: e.reviewed_by_name,
        actor: { userId: e.reviewed_by, acting: ['remedies:review'] },
        href,
        authorityVisible: true,
      });
    }
  }
  for (const a of actions) {
    events.push({
      at: a.taken_at,
      kind: 'remedy',
      label: MANAGER_ACTION_NAMES[a.action] + (a.new_due_on ? `: now due ${dayName(a.new_due_on)}` : ''),
      text:
        a.action === 'not-satisfied' && a.linked_reference
          ? `${a.note} New case ${a.linked_reference} opened.`
          : a.note,
      actorRole: ROLE_NAMES['casework-manager'],
      by: a.taken_by_name,
      actor: { userId: a.taken_by, acting: ['remedies:escalate'] },
      href,
      authorityVisible: a.action === 'more-time' || a.action === 'wrote-to-chief-executive',
    });
  }
  return events;
}
