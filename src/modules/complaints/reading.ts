import { formatDate } from '../../platform/dates.ts';
import { notFound } from '../../platform/errors.ts';
import { can, type Actor, type Permission } from '../accounts/domain.ts';
import { ComplaintsRepository, type ComplaintRow, type TimelinePerson } from './complaints.repository.ts';
import {
  clockFor,
  isUuid,
  requireStaff,
  type CaseMarker,
  type CaseView,
  type ComplaintsContext,
  type TimelineEvent,
} from './context.ts';
import { OUTCOME_NAMES, QUEUE_STATUSES, actingRoleName, mayOpenDocument, statusChangePermissions } from './domain.ts';
import { URGENT_FLAGS, URGENT_NAMES, lateRule, prematureRule } from './rules.ts';
import { shownActor } from './status-actors.ts';

// Reading a case: the case page, its documents, requests, history and timeline, and the markers staff see.

/** A document is added by an authority user answering an enquiry or sending evidence, or by staff on the case. */
const UPLOAD_PERMISSIONS: readonly Permission[] = [
  'enquiries:portal',
  'remedies:portal',
  'public-reports:portal',
  'portal:complaints',
  'complaints:investigate',
  'complaints:assess',
  'complaints:read',
];

/** The markers staff see on these cases (none for an authority's users). */
export async function caseMarkers(
  ctx: ComplaintsContext,
  actor: Actor,
  complaintIds: readonly string[],
): Promise<Map<string, CaseMarker[]>> {
  const out = new Map<string, CaseMarker[]>();
  if (actor.authorityId !== null || complaintIds.length === 0 || !can(actor, 'complaints:read')) return out;
  for (const source of ctx.markerSources) {
    for (const [id, markers] of await source(complaintIds)) out.set(id, [...(out.get(id) ?? []), ...markers]);
  }
  return out;
}

/** The complaint row when the actor may see the case; not found otherwise (so no one learns it exists). */
async function visible(ctx: ComplaintsContext, actor: Actor, id: string): Promise<ComplaintRow> {
  const complaint = isUuid(id) ? await ComplaintsRepository.in(ctx.db).find(id) : undefined;
  if (!complaint) throw notFound('The complaint');
  await mayView(ctx, actor, complaint);
  return complaint;
}

/** Staff see every case; an authority user only its own authority's, never one it was not told of. */
async function mayView(ctx: ComplaintsContext, actor: Actor, complaint: ComplaintRow): Promise<void> {
  if (actor.authorityId === null) requireStaff(actor, 'complaints:read');
  else if (
    complaint.authority_id !== actor.authorityId ||
    !can(actor, 'portal:complaints') ||
    !(await ComplaintsRepository.in(ctx.db).toldToAuthority(complaint.id))
  )
    throw notFound('The complaint');
}

/** A case as the actor may see it: staff see everything; an authority user only its own authority's, and the complainant's details only with consent. */
export async function getCase(ctx: ComplaintsContext, actor: Actor, id: string): Promise<CaseView> {
  const repo = ComplaintsRepository.in(ctx.db);
  if (!isUuid(id)) throw notFound('The complaint');
  // The case with its authority and investigator names and its parties, in one round trip.
  const found = await repo.findWithNames(id);
  if (!found) throw notFound('The complaint');
  const { complaint, parties } = found;
  await mayView(ctx, actor, complaint);
  const authority = { name: found.authorityName, kind: found.authorityKind };
  const investigator = found.investigatorName === null ? undefined : { display_name: found.investigatorName };
  const complainant = parties.find((p) => p.role === 'complainant') ?? null;
  const partiesShown = actor.authorityId === null || complainant?.consent_to_share === true;
  const receivedOn = ctx.calendar.londonDate(complaint.received_at);
  const rule = {
    receivedOn,
    authorityProcessFinished: complaint.authority_process_finished,
    authorityComplainedOn: complaint.authority_complained_on,
    awareOn: complaint.aware_on,
    careProvider: authority?.kind === 'care-provider',
  };
  return {
    complaint,
    authority: { id: complaint.authority_id, name: authority?.name ?? '', kind: authority?.kind ?? '' },
    complainant: partiesShown ? complainant : null,
    representative: partiesShown ? (parties.find((p) => p.role === 'representative') ?? null) : null,
    partiesShown,
    urgentReasons: URGENT_FLAGS.filter((f) => complaint[f]).map((f) => URGENT_NAMES[f]),
    premature: prematureRule(rule),
    late: lateRule(rule),
    clock: QUEUE_STATUSES.includes(complaint.status) ? clockFor(ctx, complaint.received_at) : null,
    investigatorName: investigator?.display_name ?? null,
  };
}

/** The case's documents the actor may see (authority users never see those marked not for disclosure). */
export async function documents(ctx: ComplaintsContext, actor: Actor, id: string) {
  await visible(ctx, actor, id);
  const rows = await ComplaintsRepository.in(ctx.db).documents(id);
  // The case is one the actor may see (its authority was told of it).
  return rows.filter((d) => mayOpenDocument(actor, { ...d, case_told: true }));
}

export async function documentRequests(ctx: ComplaintsContext, actor: Actor, id: string) {
  // Staff may see every case's requests; only an authority user's access depends on the case.
  if (actor.authorityId === null) requireStaff(actor, 'complaints:read');
  else await visible(ctx, actor, id);
  return ComplaintsRepository.in(ctx.db).documentRequests(id);
}

export async function history(ctx: ComplaintsContext, actor: Actor, id: string) {
  await visible(ctx, actor, id);
  return ComplaintsRepository.in(ctx.db).history(id);
}

/**
 * Everything that has happened on a case, newest first: the authority's own handling (its local
 * stages, when recorded), status changes, documents, requests, and every registered source. The
 * authority sees only the events meant for it, without staff names or staff links.
 */
export async function timeline(ctx: ComplaintsContext, actor: Actor, id: string): Promise<TimelineEvent[]> {
  const complaint = await visible(ctx, actor, id);
  const repo = ComplaintsRepository.in(ctx.db);
  const [history, documents, requests, ...extra] = await Promise.all([
    repo.history(id),
    repo.documents(id),
    repo.documentRequests(id),
    ...ctx.timelineSources.map((source) => source(id)),
  ]);
  const onDay = (d: string) => new Date(`${d}T00:00:00Z`);
  const events: TimelineEvent[] = [
    ...(complaint.authority_complained_on
      ? [
          {
            at: onDay(complaint.authority_complained_on),
            kind: 'authority-handling',
            label: 'Complaint made to the authority',
            actorRole: 'Complainant',
            authorityVisible: true,
          } satisfies TimelineEvent,
        ]
      : []),
    ...(complaint.authority_final_response_on
      ? [
          {
            at: onDay(complaint.authority_final_response_on),
            kind: 'authority-handling',
            label: 'The authority’s final response to the complaint',
            actorRole: 'Authority',
            authorityVisible: true,
          } satisfies TimelineEvent,
        ]
      : []),
    // Newest first, so status changes made in the same instant (intake or assessment started
    // by the decision that ends it) keep their order through the stable sort below.
    ...[...history].reverse().map((h): TimelineEvent => {
      const who = shownActor(h);
      return {
        at: h.changed_at,
        kind: h.to_status === 'closed' ? 'closure' : h.from_status === null ? 'complaint' : 'assessment',
        authorityVisible: true,
        label:
          h.to_status === 'closed'
            ? `Closed: ${h.outcome ? OUTCOME_NAMES[h.outcome] : 'no outcome recorded'}`
            : h.from_status === null
              ? 'Complaint received'
              : `Moved to ${h.to_status}`,
        text: h.reason,
        actorRole: who.role,
        by: who.by,
        actor:
          h.changed_by_type !== 'token' && h.changed_by !== null
            ? { userId: h.changed_by, acting: statusChangePermissions(h.from_status) }
            : null,
      };
    }),
    ...documents.map((d): TimelineEvent => ({
      at: d.uploaded_at,
      kind: 'document',
      authorityVisible: !d.do_not_disclose,
      label: `Document added: ${d.filename}`,
      text: d.do_not_disclose ? 'Not for disclosure' : (d.description ?? null),
      actorRole: null,
      by: d.uploaded_by_name ?? null,
      actor: { userId: d.uploaded_by, acting: UPLOAD_PERMISSIONS },
      documents: [{ id: d.id, filename: d.filename }],
      href: `/staff/documents/${d.id}`,
    })),
    ...requests.map((r): TimelineEvent => ({
      at: r.requested_at,
      kind: 'assessment',
      authorityVisible: true,
      label: `Documents requested from the authority, due ${formatDate(r.due_on)}`,
      text: r.description,
      actorRole: 'Ombudsman',
      by: r.requested_by_name ?? null,
      actor: { userId: r.requested_by, acting: ['complaints:assess'] },
    })),
    ...extra.flat(),
  ];
  const sorted = events.sort((a, b) => b.at.getTime() - a.at.getTime());
  const people = await repo.people([...new Set(sorted.flatMap((e) => (e.actor?.userId ? [e.actor.userId] : [])))]);
  const named = sorted.map((e) => withActorNamed(e, people, actor.authorityId));
  if (actor.authorityId === null) return named;
  return named
    .filter((e) => e.authorityVisible)
    .map((e) => ({ ...e, href: e.portalHref ?? null, portalHref: null, documents: e.documents ?? [] }));
}

/**
 * An event with its actor named by the role they acted in. Staff see every person's name; the
 * authority sees who acted by role only.
 */
function withActorNamed(
  e: TimelineEvent,
  people: Map<string, TimelinePerson>,
  viewerAuthority: string | null,
): TimelineEvent {
  const { actor: acted, ...event } = e;
  const person = acted?.userId ? people.get(acted.userId) : undefined;
  const role = person && acted ? (actingRoleName(person.roles, acted.acting) ?? event.actorRole) : event.actorRole;
  const by = person ? person.name : event.by;
  return { ...event, actorRole: role ?? null, by: viewerAuthority === null ? (by ?? null) : null };
}
