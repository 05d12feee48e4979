import { conflict, notFound } from '../../platform/errors.ts';
import type { Actor } from '../accounts/domain.ts';
import type { TimelineEvent } from '../complaints/complaints.service.ts';
import { stagesFor, type StatutoryRoute } from './domain.ts';
import { auditEvent, changed, inTransaction, requireStaff, type LocalComplaintsContext } from './context.ts';
import { detail } from './records.ts';

// The ombudsman's side: matching and linking a local record to a case at intake, the linked record
// on the case, and an authority's records in aggregate.

/**
 * Local records that may be this case's complaint, for intake: by the complainant's email,
 * telephone, or name in the case's service area, or the reference they gave. Only what matching
 * needs is shown (reference, dates, stage, how it matched); the record itself once linked.
 */
export async function candidates(
  ctx: LocalComplaintsContext,
  actor: Actor,
  c: {
    authorityId: string;
    serviceArea: string;
    email: string | null;
    phone: string | null;
    name: string | null;
    reference: string | null;
  },
) {
  requireStaff(actor, 'complaints:read');
  const phone = c.phone ? c.phone.replace(/[^0-9]/g, '') || null : null;
  return ctx.intake.candidates(c.authorityId, {
    email: c.email,
    phone,
    name: c.name,
    serviceArea: c.serviceArea,
    reference: c.reference?.trim() || null,
  });
}

/** Links a candidate to the case (intake); the record must match the case's authority and not be another case's. */
export async function link(
  ctx: LocalComplaintsContext,
  actor: Actor,
  complaint: { id: string; authorityId: string },
  localId: string,
): Promise<void> {
  requireStaff(actor, 'complaints:intake');
  await inTransaction(ctx, async ({ records, intake }) => {
    const row = await records.find(localId, true);
    if (!row || row.authority_id !== complaint.authorityId) throw notFound('The local complaint');
    if (row.complaint_id && row.complaint_id !== complaint.id)
      throw conflict('That local complaint is already linked to another case');
    const already = await records.findByCase(complaint.id);
    if (already && already.id !== localId) throw conflict('The case is already linked to a local complaint');
    await intake.link(localId, complaint.id, ctx.clock.now());
    await records.audit(auditEvent(actor, 'local-complaint.linked', localId, row.authority_id));
  });
  changed(ctx, complaint.authorityId);
}

/** The local record linked to a case, for staff of the case and the authority's own users. */
export async function linkedTo(ctx: LocalComplaintsContext, actor: Actor, complaintId: string) {
  if (actor.authorityId === null) requireStaff(actor, 'complaints:read');
  const row = await ctx.records.findByCase(complaintId);
  if (!row) return null;
  if (actor.authorityId !== null && actor.authorityId !== row.authority_id) return null;
  return detail(ctx, row);
}

const EVENT_LABELS: Record<string, string> = {
  received: 'received by the authority',
  acknowledged: 'acknowledged by the authority',
  extended: 'response time extended by the authority',
  responded: 'response sent by the authority',
  escalated: 'asked for by the complainant',
  closed: 'closed by the authority',
};

/** The linked record's stages on the case's timeline, from the authority's receipt. */
export async function timelineEvents(ctx: LocalComplaintsContext, complaintId: string): Promise<TimelineEvent[]> {
  const row = await ctx.records.findByCase(complaintId);
  if (!row) return [];
  const events = await ctx.records.events(row.id);
  const rules = stagesFor(row.authority_kind, row.statutory_route as StatutoryRoute | null);
  return events.map((e) => ({
    at: new Date(`${e.happened_on}T00:00:00Z`),
    kind: 'authority-handling' as const,
    label: `${rules[e.stage - 1]?.name ?? `Stage ${e.stage}`} ${EVENT_LABELS[e.type] ?? e.type}`,
    text: `Local reference ${row.reference}${e.detail && e.type !== 'acknowledged' ? `: ${e.detail}` : ''}`,
    actorRole: 'Authority',
    authorityVisible: true,
  }));
}

/** Staff: an authority's local complaints in aggregate (counts and timeliness, never the records). */
export async function aggregate(ctx: LocalComplaintsContext, actor: Actor, authorityId: string) {
  requireStaff(actor, 'authorities:read');
  return ctx.oversight.aggregate(authorityId);
}
