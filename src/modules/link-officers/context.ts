import type { Kysely } from 'kysely';
import { writeAudit } from '../../platform/audit/audit.ts';
import type { Clock } from '../../platform/clock.ts';
import type { Tx } from '../../platform/db/database.ts';
import type { Database } from '../../platform/db/schema.ts';
import { forbidden, notFound } from '../../platform/errors.ts';
import type { RawMailStore } from '../../platform/mail/raw-store.ts';
import type { AccountsService } from '../accounts/accounts.service.ts';
import { auditEventBy, can, type Actor } from '../accounts/domain.ts';
import { formatUkPhone, fullName, type LinkOfficer } from './domain.ts';
import { LinkOfficersRepository, type LinkOfficerRow } from './link-officers.repository.ts';
import type { Outbox } from '../../platform/mail/outbox.ts';

export interface LinkOfficersSettings {
  /** Where links in emails point, without a trailing slash. */
  baseUrl: string;
  /** How long a confirmation link for a change request works. */
  confirmationTtlDays: number;
  /** How long a delegate's invitation link works (the accounts setting). */
  invitationTtlHours: number;
}

/** What every link officers use case works with: the repository, the clock, the settings and the services it calls. */
export interface LinkOfficersContext {
  db: Kysely<Database>;
  repo: LinkOfficersRepository;
  clock: Clock;
  accounts: AccountsService;
  rawMail: RawMailStore;
  mail: Outbox;
  settings: LinkOfficersSettings;
}

export function linkOfficersContext(
  db: Kysely<Database>,
  clock: Clock,
  accounts: AccountsService,
  rawMail: RawMailStore,
  mail: Outbox,
  settings: LinkOfficersSettings,
): LinkOfficersContext {
  return { db, repo: new LinkOfficersRepository(db), clock, accounts, rawMail, mail, settings };
}

/** A link officer as pages and the API show them. */
export interface OfficerView extends LinkOfficer {
  name: string;
  phoneDisplay: string;
}

export const view = (officer: LinkOfficer): OfficerView => ({
  ...officer,
  name: fullName(officer),
  phoneDisplay: formatUkPhone(officer.phone),
});

const CHANGE_BY_REQUEST =
  'An authority’s link officers are changed by the ombudsman’s relationship team: ask for the change in the ' +
  'portal (Link officers, “Ask for a change of link officer”), where a request from the authority’s link officer ' +
  'or a senior officer goes straight to the team';

/** Staff with read access see every authority; an authority's own users and tokens see theirs. */
export function assertCanRead(actor: Actor, authorityId: string): void {
  if (actor.authorityId !== null) {
    if (actor.authorityId !== authorityId) throw notFound('The authority');
    return;
  }
  if (!can(actor, 'link-officers:read')) throw forbidden();
}

/**
 * Staff who manage link officers change any authority's. An authority's users and tokens change
 * none directly: the authority asks for a change (requestChange) and the relationship team
 * approves it. Other authorities' records do not exist for an authority.
 */
export function assertCanChange(actor: Actor, authorityId: string): void {
  if (actor.authorityId !== null) {
    if (actor.authorityId !== authorityId) throw notFound('The authority');
    throw forbidden(CHANGE_BY_REQUEST);
  }
  if (!can(actor, 'link-officers:manage')) throw forbidden();
}

/** The relationship team: staff who manage link officers, who decide the changes authorities ask for. */
export function assertRelationshipTeam(actor: Actor): void {
  if (!can(actor, 'link-officers:manage') || actor.authorityId !== null) throw forbidden();
}

/** The authority, or not-found. */
export async function requireAuthority(repo: LinkOfficersRepository, authorityId: string) {
  const authority = await repo.findAuthority(authorityId);
  if (!authority) throw notFound('The authority');
  return authority;
}

/** The link officer, when they are the authority's; else not-found. */
export async function officerAt(
  repo: LinkOfficersRepository,
  authorityId: string,
  officerId: string,
): Promise<LinkOfficerRow> {
  const row = await repo.findOfficer(officerId);
  if (!row || row.authority_id !== authorityId) throw notFound('The link officer');
  return row;
}

/** The audit row of an actor's change, written in its transaction. */
export function audit(
  trx: Tx,
  actor: Actor,
  action: string,
  recordType: string,
  recordId: string,
  authorityId: string,
) {
  return writeAudit(trx, auditEventBy(actor, action, { type: recordType, id: recordId, authorityId }));
}

/** The audit row of a change no one signed in made (a link followed, an erasure that follows a change). */
export function auditBySystem(trx: Tx, action: string, recordType: string, recordId: string, authorityId: string) {
  return writeAudit(trx, { actor: { type: 'system', id: null }, action, recordType, recordId, authorityId });
}
