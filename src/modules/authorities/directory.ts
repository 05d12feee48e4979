import { forbidden, notFound } from '../../platform/errors.ts';
import { can, type Actor } from '../accounts/domain.ts';
import { isUuid, type DirectoryFilters, type OfficerRow } from './authorities.repository.ts';
import type { DirectoryQuery } from './authorities.schemas.ts';
import { assertMayRead, type AuthoritiesContext } from './context.ts';
import { decodeDirectoryCursor, encodeDirectoryCursor, searchQuery } from './domain.ts';
import {
  sortedOfficers,
  toAuthority,
  toChoice,
  toEntry,
  withOfficers,
  type Authority,
  type AuthorityDetail,
  type AuthorityPicker,
  type DirectoryPage,
  type SeniorOfficer,
} from './records.ts';

// Reading the directory: one authority with its officers, a page of a search, the authority
// picker, and the export.

const EXPORT_BATCH = 1000;

/** The authority, without its officers; not-found when absent or not the actor's to read. */
export async function requireAuthority(ctx: AuthoritiesContext, actor: Actor, id: string): Promise<Authority> {
  assertMayRead(actor, id);
  const row = await ctx.repo.findById(id);
  if (!row) throw notFound('The authority');
  return toAuthority(row);
}

/** The authority with its chief executive, monitoring officer and heads of service. */
export async function getAuthority(ctx: AuthoritiesContext, actor: Actor, id: string): Promise<AuthorityDetail> {
  const authority = await requireAuthority(ctx, actor, id);
  return withOfficers(authority, await ctx.repo.officers(id));
}

/** The authority's senior officers: chief executive, monitoring officer, then heads of service by area. */
export async function listSeniorOfficers(
  ctx: AuthoritiesContext,
  actor: Actor,
  authorityId: string,
): Promise<SeniorOfficer[]> {
  await requireAuthority(ctx, actor, authorityId);
  return sortedOfficers(await ctx.repo.officers(authorityId));
}

/**
 * For other services and jobs that have already authorised their own action (e.g. addressing a
 * letter): the authority and its officers, or undefined.
 */
export async function findAuthority(ctx: AuthoritiesContext, id: string): Promise<AuthorityDetail | undefined> {
  const row = await ctx.repo.findById(id);
  return row ? withOfficers(toAuthority(row), await ctx.repo.officers(id)) : undefined;
}

function filtersFor(actor: Actor, query: DirectoryQuery): DirectoryFilters {
  if (actor.authorityId === null && !can(actor, 'authorities:read')) throw forbidden();
  return {
    words: searchQuery(query.q),
    kind: query.kind,
    region: query.region,
    status: query.status,
    onlyAuthorityId: actor.authorityId,
  };
}

/** A page of the directory, in name order, with the number of matches. */
export async function search(ctx: AuthoritiesContext, actor: Actor, query: DirectoryQuery): Promise<DirectoryPage> {
  const filters = filtersFor(actor, query);
  const cursor = decodeDirectoryCursor(query.cursor);
  const limit = ctx.settings.pageSize;
  const count = () => ctx.searchRepo.count(filters);
  const [rows, matches] = await Promise.all([
    ctx.searchRepo.page(filters, cursor, limit),
    ctx.settings.snapshots
      ? ctx.settings.snapshots.get(`authorities.count:${JSON.stringify(filters)}`, count)
      : count(),
  ]);
  const more = rows.length > limit;
  const shown = rows.slice(0, limit);
  if (cursor?.direction === 'previous') shown.reverse();
  const first = shown[0];
  const last = shown[shown.length - 1];
  const hasNext = cursor?.direction === 'previous' ? true : more;
  const hasPrevious = cursor?.direction === 'previous' ? more : cursor !== null;
  return {
    items: shown.map(toEntry),
    count: matches,
    nextCursor:
      hasNext && last ? encodeDirectoryCursor({ direction: 'next', name: last.sort_name, id: last.id }) : null,
    previousCursor:
      hasPrevious && first
        ? encodeDirectoryCursor({ direction: 'previous', name: first.sort_name, id: first.id })
        : null,
  };
}

/**
 * What a form's authority field offers (an invitation, an API token, the public change of link
 * officer form): the open authorities whose name or reference starts with the words typed, at most
 * `limit` in name order, with `more` when others match too; and the authority already chosen,
 * first, when the search does not find it. A directory of 30,000 is searched, never listed whole.
 * Open authorities' names, kinds and references are public, so anyone may search them.
 */
export async function picker(
  ctx: AuthoritiesContext,
  search: string,
  chosenId: string | null,
  limit = 20,
): Promise<AuthorityPicker> {
  const words = searchQuery(search);
  const rows = words ? await ctx.repo.page({ words, status: 'active' }, null, limit) : [];
  const choices = rows.slice(0, limit).map(toChoice);
  if (chosenId && isUuid(chosenId) && !choices.some((c) => c.id === chosenId)) {
    const chosen = await ctx.repo.findById(chosenId);
    if (chosen?.active) choices.unshift(toChoice(chosen));
  }
  return { search, choices, more: rows.length > limit };
}

/** The directory as filtered, with each authority's senior officers, in batches for a streamed CSV export. */
export async function* exportRows(
  ctx: AuthoritiesContext,
  actor: Actor,
  query: DirectoryQuery,
): AsyncGenerator<AuthorityDetail[]> {
  const filters = filtersFor(actor, query);
  let after: { name: string; id: string } | null = null;
  for (;;) {
    const batch = await ctx.repo.exportBatch(filters, after, EXPORT_BATCH);
    if (batch.length === 0) return;
    const officers = new Map<string, OfficerRow[]>();
    for (const o of await ctx.repo.officersOf(batch.map((r) => r.id))) {
      const held = officers.get(o.authority_id);
      if (held) held.push(o);
      else officers.set(o.authority_id, [o]);
    }
    yield batch.map((r) => withOfficers(toAuthority(r), officers.get(r.id) ?? []));
    const last = batch[batch.length - 1];
    if (!last || batch.length < EXPORT_BATCH) return;
    after = { name: last.sort_name, id: last.id };
  }
}
