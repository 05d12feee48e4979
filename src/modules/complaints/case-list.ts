import { z } from 'zod';
import { forbidden, invalid } from '../../platform/errors.ts';
import { decodeCursor, toPage, type Page } from '../../platform/pagination.ts';
import { londonToday } from '../../platform/calendar/today.ts';
import { can, type Actor } from '../accounts/domain.ts';
import { CaseListsRepository, type ListFilters, type ListRow } from './case-lists.repository.ts';
import { ComplaintsRepository } from './complaints.repository.ts';
import { clockFor, requireStaff, type CaseSummary, type ComplaintsContext, type QueueItem } from './context.ts';
import { normaliseReference } from './domain.ts';
import { URGENT_FLAGS, URGENT_NAMES } from './rules.ts';

// The case list with its filters, and the assessment queue.

const listCursor = z.tuple([z.string(), z.uuid()]);
const queueCursor = z.tuple([z.number().int().min(0).max(1), z.string(), z.uuid()]);

function toSummary(r: ListRow): CaseSummary {
  return {
    id: r.id,
    reference: r.reference,
    status: r.status,
    authorityId: r.authority_id,
    authorityName: r.authority_name,
    serviceArea: r.service_area,
    urgent: r.urgent,
    outcome: r.outcome,
    receivedAt: r.received_at,
    investigatorId: r.investigator_id,
  };
}

/** How many of an authority's complaints are open (not closed), for the directory's authority page. */
export async function countOpenForAuthority(
  ctx: ComplaintsContext,
  actor: Actor,
  authorityId: string,
): Promise<number> {
  requireStaff(actor, 'complaints:read');
  return ComplaintsRepository.in(ctx.db).countOpenForAuthority(authorityId);
}

/** The case list with filters, newest first, by keyset. Authority actors see their own authority's only. */
export async function list(
  ctx: ComplaintsContext,
  actor: Actor,
  filters: ListFilters,
  cursor: string | undefined,
  limit = 50,
): Promise<Page<CaseSummary>> {
  if (actor.authorityId === null) requireStaff(actor, 'complaints:read');
  else if (!can(actor, 'portal:complaints')) throw forbidden();
  const scoped: ListFilters = {
    ...filters,
    ...(actor.authorityId !== null ? { authorityId: actor.authorityId, hideUntold: true } : {}),
  };
  if (filters.reference !== undefined) {
    const ref = normaliseReference(filters.reference);
    if (!ref) throw invalid([{ field: 'reference', message: 'Enter a reference like 26 001 234' }]);
    scoped.reference = ref;
  }
  const after = cursor ? decodeCursor(cursor, listCursor) : null;
  const rows = await CaseListsRepository.in(ctx.db).list(scoped, after, limit, londonToday(ctx));
  const page = toPage(rows, limit, (r) => [r.received_key, r.id]);
  return { items: page.items.map((r) => toSummary(r)), nextCursor: page.nextCursor };
}

/** The assessment queue: urgent cases first, then the oldest, each with its working-day clock. */
export async function queue(
  ctx: ComplaintsContext,
  actor: Actor,
  cursor: string | undefined,
  limit = 50,
): Promise<Page<QueueItem> & { total: number; urgent: number }> {
  requireStaff(actor, 'complaints:read');
  const repo = CaseListsRepository.in(ctx.db);
  const after = cursor ? decodeCursor(cursor, queueCursor) : null;
  const [rows, counts] = await Promise.all([repo.queue(after, limit), repo.countQueue()]);
  const page = toPage(rows, limit, (r) => [r.urgent ? 0 : 1, r.received_key, r.id]);
  return {
    total: counts.total,
    urgent: counts.urgent,
    nextCursor: page.nextCursor,
    items: page.items.map((r) => ({
      id: r.id,
      reference: r.reference,
      status: r.status,
      authorityId: r.authority_id,
      authorityName: r.authority_name,
      serviceArea: r.service_area,
      urgent: r.urgent,
      outcome: null,
      receivedAt: r.received_at,
      investigatorId: null,
      urgentReasons: URGENT_FLAGS.filter((f) => r[f]).map((f) => URGENT_NAMES[f]),
      clock: clockFor(ctx, r.received_at),
      premature: r.premature,
      late: r.late,
    })),
  };
}

export function investigators(ctx: ComplaintsContext) {
  return ComplaintsRepository.in(ctx.db).investigators();
}
