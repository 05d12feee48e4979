import type { TimelineEvent } from '../complaints/complaints.service.ts';
import { say, type PublicReportsContext } from './context.ts';
import { BODY_NAMES, FURTHER_REASON_NAMES, STEP_NAMES } from './domain.ts';
import { view } from './reading.ts';

/** The case's public report as timeline events: proposal, alerts, final report, steps, further reports, satisfaction. */
export async function timelineEvents(ctx: PublicReportsContext, complaintId: string): Promise<TimelineEvent[]> {
  const reports = await ctx.repo.forComplaint(complaintId);
  const events: TimelineEvent[] = [];
  for (const r of reports) {
    const v = await view(ctx, ctx.repo, r.id);
    const href = `/staff/complaints/${complaintId}/public-report`;
    events.push({
      at: r.created_at,
      kind: 'public-report',
      label: 'Public report proposed: draft report issued',
      text: `Criteria: ${v.criteria.map((c) => c.name).join('; ')}. Comments due by ${say(v.commentDueOn)}.`,
      actorRole: 'Investigator',
      authorityVisible: true,
      href,
    });
    const alertTimes = new Map<string, Date>();
    for (const a of (await ctx.repo.alerts(r.id)).filter((x) => x.occasion !== 'final')) {
      const key = `${a.occasion}-${a.round}`;
      if (!alertTimes.has(key)) alertTimes.set(key, a.created_at);
    }
    for (const [key, at] of alertTimes) {
      const names = v.alerts
        .filter((a) => `${a.occasion}-${a.round}` === key)
        .map((a) => `${a.roleName} (${a.name})`)
        .join(', ');
      events.push({
        at,
        kind: 'public-report',
        label: key.startsWith('draft')
          ? 'Authority’s leaders alerted to the draft report'
          : 'Authority’s leaders alerted to the further report',
        text: names,
        actorRole: 'Ombudsman',
        authorityVisible: true,
        href,
      });
    }
    for (const s of (await ctx.repo.steps(r.id)).filter((x) => x.completed_at)) {
      events.push({
        at: s.completed_at as Date,
        kind: 'public-report',
        label: `${STEP_NAMES[s.kind]}: done${s.completed_on && s.completed_on > s.due_on ? ' late' : ''}`,
        text: s.body ? `Considered by: ${BODY_NAMES[s.body]}` : s.note,
        actorRole: 'Authority',
        documents:
          s.evidence_document_id && s.evidence_filename
            ? [{ id: s.evidence_document_id, filename: s.evidence_filename }]
            : [],
        authorityVisible: true,
        href,
      });
    }
    for (const f of await ctx.repo.further(r.id)) {
      events.push({
        at: f.created_at,
        kind: 'public-report',
        label: 'Further report issued',
        text: FURTHER_REASON_NAMES[f.reason],
        actorRole: 'Investigator',
        authorityVisible: true,
        href,
      });
    }
    if (r.satisfied_on) {
      events.push({
        at: r.updated_at,
        kind: 'public-report',
        label: 'Letter of satisfaction: public report closed',
        actorRole: 'Investigator',
        authorityVisible: true,
        href,
      });
    }
  }
  return events;
}
