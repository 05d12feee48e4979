import type { Kysely } from 'kysely';
import { writeAudit } from '../../platform/audit/audit.ts';
import type { Clock } from '../../platform/clock.ts';
import type { DbOrTx, Tx } from '../../platform/db/database.ts';
import type { Database } from '../../platform/db/schema.ts';
import { DomainError, conflict, forbidden, invalid, notFound } from '../../platform/errors.ts';
import { enqueueMail } from '../../platform/mail/outbox.ts';
import type { RawMailStore } from '../../platform/mail/raw-store.ts';
import { invitationMail } from '../accounts/accounts.mail.ts';
import type { AccountsService } from '../accounts/accounts.service.ts';
import { auditActor, can, type Actor } from '../accounts/domain.ts';
import { hashSecret, newSecret } from '../accounts/passwords.ts';
import {
  TOO_MANY_OFFICERS,
  erasureNeedles,
  formatUkPhone,
  fullName,
  isSlot,
  londonDate,
  resolveRecipients,
  type CorrespondenceRecipient,
  type LinkOfficer,
  type OfficerDetails,
  type Slot,
} from './domain.ts';
import { eraseFromCorrespondence } from '../correspondence/correspondence.erasure.ts';
import { changeDecidedMail, changeDeclinedMail, confirmChangeMail } from './link-officers.mail.ts';
import { LinkOfficerErasureRepository } from './link-officer-erasure.repository.ts';
import {
  LinkOfficersRepository,
  detailColumns,
  toOfficer,
  type ChangeRequestRow,
  type LinkOfficerRow,
} from './link-officers.repository.ts';

export interface LinkOfficersSettings {
  /** Where links in emails point, without a trailing slash. */
  baseUrl: string;
  /** How long a confirmation link for a change request works. */
  confirmationTtlDays: number;
  /** How long a delegate's invitation link works (the accounts setting). */
  invitationTtlHours: number;
}

/** A link officer as pages and the API show them. */
export interface OfficerView extends LinkOfficer {
  name: string;
  phoneDisplay: string;
}

export interface ChangeRequestInput {
  authorityId: string;
  /** `add`; the place (1 or 2) of the officer replaced; or `replace` naming them by `replacesEmail`. */
  change: 'add' | '1' | '2' | 'replace';
  replacesEmail?: string | undefined;
  details: OfficerDetails;
  requesterName: string;
  requesterEmail: string;
}

export interface CoverInput {
  linkOfficerId: string;
  starts: string;
  ends: string;
  coveredBy: string;
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

const SUBMITTED_FOR_CONFIRMATION =
  'Thank you. We have emailed the authority’s link officer to confirm the request before it reaches the ombudsman.';

/**
 * Link officers: who they are, where the ombudsman's correspondence goes, absence cover and
 * delegates, changes asked for by authorities, and erasure of everyone who is replaced or removed.
 */
export class LinkOfficersService {
  private readonly repo: LinkOfficersRepository;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly clock: Clock,
    private readonly accounts: AccountsService,
    private readonly rawMail: RawMailStore,
    private readonly settings: LinkOfficersSettings,
  ) {
    this.repo = new LinkOfficersRepository(db);
  }

  // Authorisation ----------------------------------------------------------------------------------

  /** Staff with read access see every authority; an authority's own users and tokens see theirs. */
  private assertCanRead(actor: Actor, authorityId: string): void {
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
  assertCanChange(actor: Actor, authorityId: string): void {
    if (actor.authorityId !== null) {
      if (actor.authorityId !== authorityId) throw notFound('The authority');
      throw forbidden(CHANGE_BY_REQUEST);
    }
    if (!can(actor, 'link-officers:manage')) throw forbidden();
  }

  private async authority(authorityId: string, db: LinkOfficersRepository = this.repo) {
    const authority = await db.findAuthority(authorityId);
    if (!authority) throw notFound('The authority');
    return authority;
  }

  private audit(trx: Tx, actor: Actor, action: string, recordType: string, recordId: string, authorityId: string) {
    return writeAudit(trx, {
      actor: auditActor(actor),
      action,
      recordType,
      recordId,
      authorityId,
      requestId: actor.requestId ?? null,
    });
  }

  // Reading ----------------------------------------------------------------------------------------

  /** An authority's link officers, in place order. */
  async officers(
    actor: Actor,
    authorityId: string,
  ): Promise<{ authority: { id: string; name: string }; officers: OfficerView[] }> {
    this.assertCanRead(actor, authorityId);
    const authority = await this.authority(authorityId);
    const rows = await this.repo.listOfficers(authorityId);
    return { authority: { id: authority.id, name: authority.name }, officers: rows.map((r) => view(toOfficer(r))) };
  }

  async officer(actor: Actor, authorityId: string, officerId: string): Promise<OfficerView> {
    this.assertCanRead(actor, authorityId);
    const row = await this.repo.findOfficer(officerId);
    if (!row || row.authority_id !== authorityId) throw notFound('The link officer');
    return view(toOfficer(row));
  }

  /** Active authorities that have no link officer, for the staff home page. */
  async authoritiesWithoutLinkOfficer(
    limit: number,
  ): Promise<{ authorities: { id: string; name: string }[]; total: number }> {
    const [authorities, total] = await Promise.all([
      this.repo.authoritiesWithoutLinkOfficer(limit),
      this.repo.countAuthoritiesWithoutLinkOfficer(),
    ]);
    return { authorities, total };
  }

  /**
   * Where the ombudsman's correspondence to an authority goes on a date (see resolveRecipients):
   * the link officers or whoever covers them, and the generic inbox; failing those, the chief executive.
   */
  async correspondenceRecipients(
    authorityId: string,
    onDate: Date | string,
    /** The caller's transaction, to read within it (the embedded database has one session). */
    db?: DbOrTx,
  ): Promise<CorrespondenceRecipient[]> {
    const day = typeof onDate === 'string' ? onDate : londonDate(onDate);
    const repo = db ? new LinkOfficersRepository(db) : this.repo;
    const [rows, contacts, covers] = await Promise.all([
      repo.listOfficers(authorityId),
      repo.authorityContacts(authorityId),
      repo.covers(authorityId, day),
    ]);
    return resolveRecipients({
      officers: rows.map(toOfficer),
      covers: covers.map((c) => ({
        linkOfficerId: c.link_officer_id,
        startsOn: c.starts_on,
        endsOn: c.ends_on,
        coverEmail: c.cover_email,
      })),
      genericInbox: contacts.genericInbox,
      chiefExecutiveEmail: contacts.chiefExecutiveEmail,
      onDate: day,
    });
  }

  /** The Ombudsman Link newsletter's subscribers by role: every current link officer. */
  newsletterRecipients() {
    return this.repo.newsletterRecipients();
  }

  // Changing link officers -------------------------------------------------------------------------

  /** The portal account a link officer's record links to: an existing account of theirs at the authority. */
  private async accountFor(repo: LinkOfficersRepository, authorityId: string, email: string): Promise<string | null> {
    const user = await repo.findUserByEmail(email);
    return user && user.authority_id === authorityId && user.status !== 'deactivated' ? user.id : null;
  }

  /** Adds a link officer in a free place; refuses a third, even when two requests arrive at once. */
  async addOfficer(actor: Actor, authorityId: string, details: OfficerDetails): Promise<string> {
    this.assertCanChange(actor, authorityId);
    return this.db.transaction().execute(async (trx) => {
      const id = await this.insertOfficer(trx, authorityId, details, null);
      await this.audit(trx, actor, 'link-officer.added', 'link-officer', id, authorityId);
      return id;
    });
  }

  /**
   * Inserts into the given place, or the first free one. The database's unique place per authority
   * settles races: an insert that loses one tries the other place, and none is left for a third.
   */
  private async insertOfficer(
    trx: Tx,
    authorityId: string,
    details: OfficerDetails,
    slot: Slot | null,
  ): Promise<string> {
    const repo = this.repo.with(trx);
    const authority = await this.authority(authorityId, repo);
    if (!authority.active) throw conflict('This authority is closed: it cannot have new link officers');
    const userId = await this.accountFor(repo, authorityId, details.email);
    const now = this.clock.now();
    for (const place of slot === null ? ([1, 2] as const) : [slot]) {
      const row = await repo.insertIntoSlot({
        authority_id: authorityId,
        slot: place,
        ...detailColumns(details),
        user_id: userId,
        created_at: now,
        updated_at: now,
      });
      if (row) return row.id;
    }
    throw conflict(TOO_MANY_OFFICERS, [{ field: 'form', message: TOO_MANY_OFFICERS }]);
  }

  /** Corrects the details of the same person (a new job title, a new number). */
  async editOfficer(actor: Actor, authorityId: string, officerId: string, details: OfficerDetails): Promise<void> {
    this.assertCanChange(actor, authorityId);
    await this.db.transaction().execute(async (trx) => {
      const repo = this.repo.with(trx);
      const row = await repo.findOfficer(officerId);
      if (!row || row.authority_id !== authorityId) throw notFound('The link officer');
      const userId = row.user_id ?? (await this.accountFor(repo, authorityId, details.email));
      await repo.updateOfficer(officerId, details, userId, this.clock.now());
      await this.audit(trx, actor, 'link-officer.updated', 'link-officer', officerId, authorityId);
    });
  }

  /** Puts a new person in an officer's place; the person replaced is erased. Returns the new id. */
  async replaceOfficer(actor: Actor, authorityId: string, officerId: string, details: OfficerDetails): Promise<string> {
    this.assertCanChange(actor, authorityId);
    return this.db.transaction().execute(async (trx) => {
      const repo = this.repo.with(trx);
      const row = await repo.findOfficer(officerId);
      if (!row || row.authority_id !== authorityId) throw notFound('The link officer');
      await repo.lockOfficers(authorityId);
      await this.erase(trx, row, details);
      const id = await this.insertOfficer(trx, authorityId, details, row.slot);
      await this.audit(trx, actor, 'link-officer.replaced', 'link-officer', id, authorityId);
      return id;
    });
  }

  /** Removes a link officer and erases them. */
  async removeOfficer(actor: Actor, authorityId: string, officerId: string): Promise<void> {
    this.assertCanChange(actor, authorityId);
    await this.db.transaction().execute(async (trx) => {
      const repo = this.repo.with(trx);
      const row = await repo.findOfficer(officerId);
      if (!row || row.authority_id !== authorityId) throw notFound('The link officer');
      await this.erase(trx, row, null);
      await this.audit(trx, actor, 'link-officer.removed', 'link-officer', officerId, authorityId);
    });
  }

  /**
   * Erases a link officer: their record (and the absence cover that hangs on it), their portal
   * account and its sessions, pending change requests about them, and their details wherever a
   * copy was made (the outbox, job payloads). Nothing about them is kept; the audit log records the
   * action by id only. A correspondence address still used by someone else (the generic inbox, the
   * other officer, the successor) is not theirs to erase.
   */
  private async erase(trx: Tx, row: LinkOfficerRow, successor: OfficerDetails | null): Promise<void> {
    const repo = this.repo.with(trx);
    const erasure = new LinkOfficerErasureRepository(trx);
    const now = this.clock.now();
    const officer = toOfficer(row);
    const others = (await repo.listOfficers(officer.authorityId)).filter((o) => o.id !== officer.id).map(toOfficer);
    const { genericInbox } = await repo.authorityContacts(officer.authorityId);
    const shared = new Set(
      [
        genericInbox,
        ...others.flatMap((o) => [o.email, o.correspondenceEmail]),
        successor?.email,
        successor?.correspondenceEmail,
      ]
        .filter((v): v is string => typeof v === 'string')
        .map((v) => v.toLowerCase()),
    );
    const person = {
      ...officer,
      correspondenceEmail:
        officer.correspondenceEmail && !shared.has(officer.correspondenceEmail.toLowerCase())
          ? officer.correspondenceEmail
          : null,
    };

    const accounts = new Set<string>();
    if (officer.userId) accounts.add(officer.userId);
    const byEmail = await repo.findUserByEmail(officer.email);
    if (byEmail && byEmail.authority_id === officer.authorityId) accounts.add(byEmail.id);

    await repo.deleteOfficer(officer.id);
    // Where enquiries and notices were delivered: the fact stays, their address goes.
    await erasure.eraseEnquiryRecipients(
      officer.authorityId,
      [officer.email, person.correspondenceEmail ?? officer.email].map((e) => e.toLowerCase()),
    );
    for (const userId of accounts) {
      await erasure.eraseUser(userId, now);
      this.accounts.forgetSessions();
      await writeAudit(trx, {
        actor: { type: 'system', id: null },
        action: 'user.erased',
        recordType: 'user',
        recordId: userId,
        authorityId: officer.authorityId,
      });
    }
    await this.eraseFromChangeRequests(trx, officer);
    const needles = erasureNeedles(person);
    await erasure.scrubOutbox(needles.identifying, needles.all);
    await eraseFromCorrespondence(trx, this.rawMail, {
      authorityId: officer.authorityId,
      addresses: [officer.email, person.correspondenceEmail].filter(
        (a): a is string => a !== null && !shared.has(a.toLowerCase()),
      ),
      ...needles,
    });
    await erasure.scrubJobs(needles.identifying, needles.all);
    await writeAudit(trx, {
      actor: { type: 'system', id: null },
      action: 'link-officer.erased',
      recordType: 'link-officer',
      recordId: officer.id,
      authorityId: officer.authorityId,
    });
  }

  /** Requests that would appoint the erased person again go; requests they made lose their name. */
  private async eraseFromChangeRequests(trx: Tx, officer: LinkOfficer): Promise<void> {
    const erasure = new LinkOfficerErasureRepository(trx);
    const repo = this.repo.with(trx);
    const email = officer.email.toLowerCase();
    const rows = await erasure.changeRequestAddresses(officer.authorityId);
    for (const r of rows) {
      if (r.email.toLowerCase() === email) {
        await repo.deleteChangeRequest(r.id);
      } else if (r.requester_email.toLowerCase() === email) {
        await erasure.eraseChangeRequester(r.id);
      }
    }
  }

  // Portal: delegates and absence cover -------------------------------------------------------------

  private portalAuthority(actor: Actor): string {
    if (actor.authorityId === null) throw forbidden();
    return actor.authorityId;
  }

  /** What the portal shows about the authority's link officers, delegates and absence cover. */
  async portalOverview(actor: Actor) {
    const authorityId = this.portalAuthority(actor);
    const today = londonDate(this.clock.now());
    const { authority, officers } = await this.officers(actor, authorityId);
    const [delegates, covers] = await Promise.all([
      this.repo.usersWithRole(authorityId, 'delegate'),
      this.repo.covers(authorityId, today),
    ]);
    const names = new Map(officers.map((o) => [o.id, o.name]));
    return {
      authority,
      officers,
      delegates,
      covers: covers.map((c) => ({
        ...c,
        officer_name: names.get(c.link_officer_id) ?? '',
        current: c.starts_on <= today,
      })),
      canDelegate: can(actor, 'link-officers:delegate'),
    };
  }

  /**
   * A link officer invites a colleague as a delegate: a portal account of the same authority, with
   * an invitation to set a password sent through the outbox.
   */
  async inviteDelegate(actor: Actor, input: { name: string; email: string }): Promise<string> {
    const authorityId = this.portalAuthority(actor);
    if (!can(actor, 'link-officers:delegate')) throw forbidden();
    const by = auditActor(actor);
    const userId = await this.accounts.createUser(
      { email: input.email, displayName: input.name, roles: ['delegate'], authorityId },
      by,
    );
    const now = this.clock.now();
    await this.db.transaction().execute(async (trx) => {
      const token = newSecret();
      const tokenHash = hashSecret(token);
      const ttlHours = this.settings.invitationTtlHours;
      await this.repo.with(trx).insertInvitationToken({
        token_hash: tokenHash,
        user_id: userId,
        expires_at: new Date(now.getTime() + ttlHours * 3_600_000),
        created_at: now,
      });
      await enqueueMail(
        trx,
        invitationMail({
          to: input.email,
          displayName: input.name,
          link: `${this.settings.baseUrl}/invitation/${token}`,
          ttlHours,
          tokenId: tokenHash.slice(0, 32),
        }),
      );
      await this.audit(trx, actor, 'delegate.invited', 'user', userId, authorityId);
    });
    return userId;
  }

  /** Records who receives a link officer's correspondence while they are away. */
  async addCover(actor: Actor, input: CoverInput): Promise<string> {
    const authorityId = this.portalAuthority(actor);
    if (!can(actor, 'link-officers:delegate')) throw forbidden();
    return this.db.transaction().execute(async (trx) => {
      const repo = this.repo.with(trx);
      const officer = await repo.findOfficer(input.linkOfficerId);
      if (!officer || officer.authority_id !== authorityId) {
        throw invalid([{ field: 'linkOfficerId', message: 'Select the link officer who is away' }]);
      }
      const [kind, id = ''] = input.coveredBy.split(':');
      let coverUserId: string | null = null;
      let coverOfficerId: string | null = null;
      if (kind === 'delegate') {
        const user = await repo.findUser(id);
        if (
          !user ||
          user.authority_id !== authorityId ||
          user.status === 'deactivated' ||
          !(await repo.userHasRole(id, 'delegate'))
        ) {
          throw invalid([{ field: 'coveredBy', message: 'Select a delegate or the other link officer' }]);
        }
        coverUserId = id;
      } else {
        const other = await repo.findOfficer(id);
        if (!other || other.authority_id !== authorityId || other.id === officer.id) {
          throw invalid([{ field: 'coveredBy', message: 'Select a delegate or the other link officer' }]);
        }
        coverOfficerId = id;
      }
      if (input.ends < londonDate(this.clock.now())) {
        throw invalid([{ field: 'ends', message: 'The last day of the absence must be today or in the future' }]);
      }
      const coverId = await repo.insertCover({
        authority_id: authorityId,
        link_officer_id: officer.id,
        starts_on: input.starts,
        ends_on: input.ends,
        cover_user_id: coverUserId,
        cover_officer_id: coverOfficerId,
      });
      await this.audit(trx, actor, 'link-officer.cover-added', 'link-officer-cover', coverId, authorityId);
      return coverId;
    });
  }

  async removeCover(actor: Actor, coverId: string): Promise<void> {
    const authorityId = this.portalAuthority(actor);
    if (!can(actor, 'link-officers:delegate')) throw forbidden();
    await this.db.transaction().execute(async (trx) => {
      if (!(await this.repo.with(trx).deleteCover(coverId, authorityId))) throw notFound('The absence cover');
      await this.audit(trx, actor, 'link-officer.cover-removed', 'link-officer-cover', coverId, authorityId);
    });
  }

  // Change requests ---------------------------------------------------------------------------------

  /** Whether an actor speaks for the authority: its link officer or a senior officer, signed in. */
  private speaksFor(actor: Actor | null, authorityId: string): boolean {
    return (
      actor !== null &&
      actor.type === 'user' &&
      actor.authorityId === authorityId &&
      actor.roles.some((r) => r === 'link-officer' || r === 'senior-officer')
    );
  }

  /**
   * Records a request to change an authority's link officers. From the authority's own link officer
   * or senior officer it goes straight to the relationship lead; from anyone else it first waits for
   * a current link officer (or, with none, the chief executive) to confirm it by an emailed link.
   * Returns the notice to show.
   */
  async requestChange(actor: Actor | null, input: ChangeRequestInput): Promise<string> {
    const now = this.clock.now();
    return this.db.transaction().execute(async (trx) => {
      const repo = this.repo.with(trx);
      const authority = await repo.findAuthority(input.authorityId);
      if (!authority || !authority.active) {
        throw invalid([{ field: 'authorityId', message: 'Select the authority' }]);
      }
      const officers = (await repo.listOfficers(input.authorityId)).map(toOfficer);
      let replacesSlot: Slot | null = input.change === '1' ? 1 : input.change === '2' ? 2 : null;
      if (input.change === 'replace') {
        const email = (input.replacesEmail ?? '').toLowerCase();
        const match = officers.find(
          (o) => o.email.toLowerCase() === email || o.correspondenceEmail?.toLowerCase() === email,
        );
        if (!match) {
          throw invalid([
            {
              field: 'replacesEmail',
              message: 'Enter the email address of one of the authority’s current link officers',
            },
          ]);
        }
        replacesSlot = match.slot;
      }
      if (replacesSlot === null && officers.length >= 2) {
        throw invalid([
          { field: 'change', message: 'The authority already has two link officers: choose which one to replace' },
        ]);
      }
      if (replacesSlot !== null && !officers.some((o) => o.slot === replacesSlot)) {
        throw invalid([{ field: 'change', message: 'Select a link officer the authority has now, or add one' }]);
      }
      const trusted = this.speaksFor(actor, input.authorityId);
      const token = newSecret();
      const ttlMs = this.settings.confirmationTtlDays * 86_400_000;
      const confirmers = trusted ? [] : await this.confirmersFor(trx, input.authorityId, officers);
      const awaiting = !trusted && confirmers.length > 0;
      const id = await repo.insertChangeRequest({
        authority_id: input.authorityId,
        replaces_slot: replacesSlot,
        ...detailColumns(input.details),
        requester_name: input.requesterName,
        requester_email: input.requesterEmail,
        requester_user_id: actor?.type === 'user' && actor.authorityId === input.authorityId ? actor.id : null,
        status: awaiting ? 'awaiting-confirmation' : 'pending',
        confirmation_token_hash: awaiting ? hashSecret(token) : null,
        confirmation_expires_at: awaiting ? new Date(now.getTime() + ttlMs) : null,
        created_at: now,
        confirmed_at: trusted ? now : null,
      });
      const replaced = officers.find((o) => o.slot === replacesSlot);
      for (const to of confirmers) {
        await enqueueMail(
          trx,
          confirmChangeMail({
            to,
            authorityName: authority.name,
            requesterName: input.requesterName,
            change: replaced ? `replace the link officer ${fullName(replaced)}` : 'add a link officer',
            newOfficerName: fullName(input.details),
            link: `${this.settings.baseUrl}/link-officer-change/confirm/${token}`,
            ttlDays: this.settings.confirmationTtlDays,
            requestId: id,
          }),
        );
      }
      await writeAudit(trx, {
        actor: actor ? auditActor(actor) : { type: 'system', id: null },
        action: awaiting ? 'link-officer-change.requested-unconfirmed' : 'link-officer-change.requested',
        recordType: 'link-officer-change',
        recordId: id,
        authorityId: input.authorityId,
        requestId: actor?.requestId ?? null,
      });
      return awaiting
        ? SUBMITTED_FOR_CONFIRMATION
        : 'Thank you. Your request has been sent to the ombudsman’s relationship team.';
    });
  }

  /** Who confirms a change asked for from outside: the current link officers, else the chief executive. */
  private async confirmersFor(trx: Tx, authorityId: string, officers: LinkOfficer[]): Promise<string[]> {
    if (officers.length > 0) return [...new Set(officers.map((o) => o.correspondenceEmail ?? o.email))];
    const { chiefExecutiveEmail } = await this.repo.with(trx).authorityContacts(authorityId);
    return chiefExecutiveEmail ? [chiefExecutiveEmail] : [];
  }

  private async requestForToken(token: string): Promise<ChangeRequestRow> {
    const row = await this.repo.findChangeRequestByToken(hashSecret(token));
    if (!row || row.status !== 'awaiting-confirmation') {
      throw new DomainError('gone', 'This link has already been used or is not valid.');
    }
    if (row.confirmation_expires_at && row.confirmation_expires_at <= this.clock.now()) {
      throw new DomainError('gone', 'This link has expired. Ask the person who made the request to make it again.');
    }
    return row;
  }

  /** What the confirmation page shows. */
  async changeForConfirmation(token: string) {
    const row = await this.requestForToken(token);
    return this.describe(row);
  }

  private async describe(row: ChangeRequestRow) {
    const authority = await this.authority(row.authority_id);
    const officers = (await this.repo.listOfficers(row.authority_id)).map(toOfficer);
    const replaced = row.replaces_slot === null ? undefined : officers.find((o) => o.slot === row.replaces_slot);
    return {
      id: row.id,
      authority: { id: authority.id, name: authority.name },
      replaces: replaced ? view(replaced) : null,
      details: view(
        toOfficer({
          id: row.id,
          authority_id: row.authority_id,
          slot: row.replaces_slot ?? 1,
          user_id: null,
          failing_since: null,
          bounce_status: null,
          title: row.title,
          forename: row.forename,
          surname: row.surname,
          job_title: row.job_title,
          email: row.email,
          correspondence_email: row.correspondence_email,
          phone: row.phone,
          created_at: row.created_at,
          updated_at: row.created_at,
        }),
      ),
      requesterName: row.requester_name,
      requesterEmail: row.requester_email,
      status: row.status,
      createdAt: row.created_at,
      confirmation:
        row.requester_user_id !== null && row.confirmed_at !== null
          ? 'Asked by the authority’s link officer or senior officer, signed in'
          : row.confirmed_at !== null
            ? 'Confirmed by the authority by email'
            : 'Not confirmed: the authority had no link officer or chief executive to ask',
    };
  }

  async confirmChange(token: string): Promise<void> {
    const row = await this.requestForToken(token);
    await this.db.transaction().execute(async (trx) => {
      await this.repo.with(trx).confirmChangeRequest(row.id, this.clock.now());
      await writeAudit(trx, {
        actor: { type: 'system', id: null },
        action: 'link-officer-change.confirmed',
        recordType: 'link-officer-change',
        recordId: row.id,
        authorityId: row.authority_id,
      });
    });
  }

  async declineChange(token: string): Promise<void> {
    const row = await this.requestForToken(token);
    const authority = await this.authority(row.authority_id);
    await this.db.transaction().execute(async (trx) => {
      await this.repo.with(trx).deleteChangeRequest(row.id);
      await enqueueMail(
        trx,
        changeDeclinedMail({ to: row.requester_email, authorityName: authority.name, requestId: row.id }),
      );
      await writeAudit(trx, {
        actor: { type: 'system', id: null },
        action: 'link-officer-change.declined',
        recordType: 'link-officer-change',
        recordId: row.id,
        authorityId: row.authority_id,
      });
    });
  }

  /** The relationship lead's queue of confirmed requests, oldest first. */
  async pendingChanges(actor: Actor) {
    if (!can(actor, 'link-officers:manage') || actor.authorityId !== null) throw forbidden();
    const rows = await this.repo.pendingChangeRequests();
    return rows.map((r) => ({
      id: r.id,
      authorityName: r.authority_name,
      change: r.replaces_slot === null ? 'Add a link officer' : `Replace the link officer in place ${r.replaces_slot}`,
      newOfficerName: fullName(r),
      requesterName: r.requester_name,
      createdAt: r.created_at,
    }));
  }

  async changeRequest(actor: Actor, id: string) {
    if (!can(actor, 'link-officers:manage') || actor.authorityId !== null) throw forbidden();
    const row = await this.repo.findChangeRequest(id);
    if (!row || row.status !== 'pending') throw notFound('The request');
    return this.describe(row);
  }

  /** Approves a request: the change applies at once, the request itself is deleted. */
  async approveChange(actor: Actor, id: string): Promise<void> {
    if (!can(actor, 'link-officers:manage') || actor.authorityId !== null) throw forbidden();
    await this.db.transaction().execute(async (trx) => {
      const repo = this.repo.with(trx);
      const row = await repo.lockChangeRequest(id);
      if (!row || row.status !== 'pending') throw notFound('The request');
      const authority = await this.authority(row.authority_id, repo);
      await repo.lockOfficers(row.authority_id);
      const details: OfficerDetails = {
        title: row.title,
        forename: row.forename,
        surname: row.surname,
        jobTitle: row.job_title,
        email: row.email,
        correspondenceEmail: row.correspondence_email,
        phone: row.phone,
      };
      const requester = { email: row.requester_email, id: row.id };
      await repo.deleteChangeRequest(row.id);
      const slot = row.replaces_slot;
      const current =
        slot === null ? undefined : (await repo.listOfficers(row.authority_id)).find((o) => o.slot === slot);
      let erasedEmail: string | null = null;
      let officerId: string;
      if (current && slot !== null && isSlot(slot)) {
        erasedEmail = current.email.toLowerCase();
        await this.erase(trx, current, details);
        officerId = await this.insertOfficer(trx, row.authority_id, details, slot);
        await this.audit(trx, actor, 'link-officer.replaced', 'link-officer', officerId, row.authority_id);
      } else {
        officerId = await this.insertOfficer(trx, row.authority_id, details, null);
        await this.audit(trx, actor, 'link-officer.added', 'link-officer', officerId, row.authority_id);
      }
      await this.audit(trx, actor, 'link-officer-change.approved', 'link-officer-change', row.id, row.authority_id);
      // Tell the person who asked, unless they are the person just erased.
      if (requester.email !== '[erased]' && requester.email.toLowerCase() !== erasedEmail) {
        await enqueueMail(
          trx,
          changeDecidedMail({
            to: requester.email,
            authorityName: authority.name,
            approved: true,
            requestId: requester.id,
          }),
        );
      }
    });
  }

  /** Rejects a request with a reason the requester is told by email; the request is deleted. */
  async rejectChange(actor: Actor, id: string, reason: string): Promise<void> {
    if (!can(actor, 'link-officers:manage') || actor.authorityId !== null) throw forbidden();
    await this.db.transaction().execute(async (trx) => {
      const repo = this.repo.with(trx);
      const row = await repo.lockChangeRequest(id);
      if (!row || row.status !== 'pending') throw notFound('The request');
      const authority = await this.authority(row.authority_id, repo);
      await repo.deleteChangeRequest(row.id);
      if (row.requester_email !== '[erased]') {
        await enqueueMail(
          trx,
          changeDecidedMail({
            to: row.requester_email,
            authorityName: authority.name,
            approved: false,
            reason,
            requestId: row.id,
          }),
        );
      }
      await this.audit(trx, actor, 'link-officer-change.rejected', 'link-officer-change', row.id, row.authority_id);
    });
  }

  /** The signed-in user's own name and email, for a request made in the portal. */
  async requesterFor(actor: Actor): Promise<{ name: string; email: string }> {
    const user = actor.type === 'user' ? await this.accounts.findUserById(actor.id) : undefined;
    if (!user) throw forbidden();
    return { name: user.display_name, email: user.email };
  }
}
