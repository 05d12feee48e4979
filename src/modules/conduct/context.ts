import type { WorkingCalendar } from '../../platform/calendar/calendar.ts';
import type { Clock } from '../../platform/clock.ts';
import type { DbOrTx } from '../../platform/db/database.ts';
import { DomainError, forbidden, notFound } from '../../platform/errors.ts';
import type { RowUpdate } from '../../platform/db/schema.ts';
import { auditEventBy, can, type Actor, type Permission } from '../accounts/domain.ts';
import type { NewItem } from '../correspondence/domain.ts';
import type { PeopleService } from '../people/people.service.ts';
import type { PublicPage } from '../publications/publications.library.ts';
import { ConductRepository, type RecordWithNames } from './conduct.repository.ts';
import { FLAG_NAMES, KIND_NAMES, reviewState, termLines, type Channel, type Flag, type Terms } from './domain.ts';
import type { Outbox } from '../../platform/mail/outbox.ts';

/** What conduct asks of the correspondence module: a letter written on a case in the caller's transaction. */
export interface ConductCorrespondence {
  write(db: DbOrTx, item: NewItem): Promise<string>;
}

/** What conduct asks of the publications library: a public page by its address, and its full address. */
export interface ConductPublications {
  page(slug: string): Promise<PublicPage>;
  url(slug: string): string;
}

/** The published policy the pages and letters link to, when the library has it. */
export interface PolicyLink {
  title: string;
  path: string;
  url: string;
}

export interface ConductSettings {
  baseUrl: string;
  policySlug: string;
}

/** What every conduct use case works with: the repository, the clock and calendar, the modules it asks, the settings. */
export interface ConductContext {
  repo: ConductRepository;
  clock: Clock;
  calendar: WorkingCalendar;
  people: PeopleService;
  correspondence: ConductCorrespondence;
  settings: ConductSettings;
  publications: ConductPublications | null;
  /** The policy's address as last read from the library, and when. */
  policyRead: { at: number; link: PolicyLink | null } | null;
}

export function conductContext(
  db: DbOrTx,
  clock: Clock,
  calendar: WorkingCalendar,
  people: PeopleService,
  correspondence: ConductCorrespondence,
  mail: Outbox,
  settings: ConductSettings,
  publications: ConductPublications | null,
): ConductContext {
  return {
    repo: new ConductRepository(db, mail),
    clock,
    calendar,
    people,
    correspondence,
    settings,
    publications,
    policyRead: null,
  };
}

/** How long the policy's address is kept before the library is asked again. */
const POLICY_CACHE_MS = 60_000;

/**
 * The policy on unreasonable behaviour in the publications library, by its address (followed when
 * the title, and so the address, changed); null while it is not published. Read at most once a minute.
 */
export async function policy(ctx: ConductContext): Promise<PolicyLink | null> {
  const now = ctx.clock.now().getTime();
  if (ctx.policyRead && now - ctx.policyRead.at < POLICY_CACHE_MS) return ctx.policyRead.link;
  let link: PolicyLink | null = null;
  if (ctx.publications) {
    try {
      let slug = ctx.settings.policySlug;
      let found = await ctx.publications.page(slug);
      if (found.kind === 'moved') {
        slug = found.slug;
        found = await ctx.publications.page(slug);
      }
      if (found.kind === 'page') {
        link = { title: found.view.title, path: `/publications/${slug}`, url: ctx.publications.url(slug) };
      }
    } catch (error) {
      if (!(error instanceof DomainError && error.code === 'not-found')) throw error;
    }
  }
  ctx.policyRead = { at: now, link };
  return link;
}

/** Staff with the permission only. */
export function needs(actor: Actor, permission: Permission, message?: string): void {
  if (actor.authorityId !== null || !can(actor, permission)) throw forbidden(message);
}

/** Staff who may read cases, about a person who exists. */
export async function readsPerson(ctx: ConductContext, actor: Actor, personId: string): Promise<void> {
  needs(actor, 'complaints:read');
  if (!(await ctx.people.exists(personId))) throw notFound('The person');
}

export const isUuid = (v: string) => /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(v);

/** The person signed in, when it is a person (null for an API token). */
export const userIdOf = (actor: Actor): string | null => (actor.type === 'user' ? actor.id : null);

/** Writes the audit row of a change, in the repository's transaction. */
export function audit(
  repo: ConductRepository,
  actor: Actor,
  action: string,
  recordType: string,
  recordId: string,
): Promise<void> {
  return repo.audit(auditEventBy(actor, action, { type: recordType, id: recordId }));
}

export const termsOf = (r: RecordWithNames): Terms => ({
  channels: r.channels as Channel[],
  namedOfficerId: r.named_officer_id,
  callTimes: r.call_times,
  maxCallMinutes: r.max_call_minutes,
  writtenOnly: r.written_only,
  weeklyContactCap: r.weekly_contact_cap,
  settledComplaintId: r.settled_complaint_id,
  tellAuthority: r.tell_authority,
});

/** The columns of a record that hold its terms (the other way from `termsOf`). */
export const termColumns = (t: Terms) =>
  ({
    channels: [...t.channels],
    named_officer_id: t.namedOfficerId,
    call_times: t.callTimes,
    max_call_minutes: t.maxCallMinutes,
    written_only: t.writtenOnly,
    weekly_contact_cap: t.weeklyContactCap,
    settled_complaint_id: t.settledComplaintId,
    tell_authority: t.tellAuthority,
  }) satisfies RowUpdate<'conduct_records'>;

export const linesOf = (r: RecordWithNames): string[] =>
  termLines(termsOf(r), { officer: r.officerName, settledReference: r.settledReference });

/** What a contact's or call's flags say, in words (a flag no longer known as itself). */
export const flagNamesOf = (flags: readonly string[] | null): string[] =>
  (flags ?? []).map((f) => FLAG_NAMES[f as Flag] ?? f);

/** A contact or call with its flags in words, for a page. */
export const withFlagNames = <T extends { flags: string[] | null }>(c: T) =>
  Object.assign({ flagNames: flagNamesOf(c.flags) }, c);

/** A record as the pages show it: its kind and terms in words, and where its review stands. */
export function shape(r: RecordWithNames, today: string) {
  return Object.assign(
    {
      kindName: KIND_NAMES[r.kind],
      terms: linesOf(r),
      reviewState: r.status === 'active' ? reviewState(r.review_on, today) : null,
    },
    r,
  );
}
