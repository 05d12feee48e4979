import type { Kysely } from 'kysely';
import type { Clock } from '../../platform/clock.ts';
import type { DbOrTx } from '../../platform/db/database.ts';
import type { Database } from '../../platform/db/schema.ts';
import type { RawMailStore } from '../../platform/mail/raw-store.ts';
import type { AccountsService } from '../accounts/accounts.service.ts';
import type { Actor } from '../accounts/domain.ts';
import * as changeRequests from './change-requests.ts';
import {
  assertCanChange,
  linkOfficersContext,
  type LinkOfficersContext,
  type LinkOfficersSettings,
} from './context.ts';
import type { OfficerDetails } from './domain.ts';
import * as officers from './officers.ts';
import * as portal from './portal.ts';
import type { Outbox } from '../../platform/mail/outbox.ts';

export type { ChangeRequestInput } from './change-requests.ts';
export { view, type LinkOfficersSettings, type OfficerView } from './context.ts';
export type { CoverInput } from './portal.ts';

/**
 * Link officers: who they are, where the ombudsman's correspondence goes, absence cover and
 * delegates, changes asked for by authorities, and erasure of everyone who is replaced or removed.
 * Each group of use cases is in its own file; this class is their one door.
 */
export class LinkOfficersService {
  private readonly ctx: LinkOfficersContext;

  constructor(
    db: Kysely<Database>,
    clock: Clock,
    accounts: AccountsService,
    rawMail: RawMailStore,
    mail: Outbox,
    settings: LinkOfficersSettings,
  ) {
    this.ctx = linkOfficersContext(db, clock, accounts, rawMail, mail, settings);
  }

  /**
   * Staff who manage link officers change any authority's; an authority's users and tokens ask for
   * a change instead, and other authorities' records do not exist for them.
   */
  assertCanChange = (actor: Actor, authorityId: string) => assertCanChange(actor, authorityId);

  // Link officers and where correspondence goes.
  officers = (actor: Actor, authorityId: string) => officers.officers(this.ctx, actor, authorityId);
  officer = (actor: Actor, authorityId: string, officerId: string) =>
    officers.officer(this.ctx, actor, authorityId, officerId);
  authoritiesWithoutLinkOfficer = (limit: number) => officers.authoritiesWithoutLinkOfficer(this.ctx, limit);
  correspondenceRecipients = (authorityId: string, onDate: Date | string, db?: DbOrTx) =>
    officers.correspondenceRecipients(this.ctx, authorityId, onDate, db);
  /** The Ombudsman Link newsletter's subscribers by role: every current link officer. */
  newsletterRecipients = () => this.ctx.repo.newsletterRecipients();
  addOfficer = (actor: Actor, authorityId: string, details: OfficerDetails) =>
    officers.addOfficer(this.ctx, actor, authorityId, details);
  editOfficer = (actor: Actor, authorityId: string, officerId: string, details: OfficerDetails) =>
    officers.editOfficer(this.ctx, actor, authorityId, officerId, details);
  replaceOfficer = (actor: Actor, authorityId: string, officerId: string, details: OfficerDetails) =>
    officers.replaceOfficer(this.ctx, actor, authorityId, officerId, details);
  removeOfficer = (actor: Actor, authorityId: string, officerId: string) =>
    officers.removeOfficer(this.ctx, actor, authorityId, officerId);

  // The portal: delegates and absence cover.
  portalOverview = (actor: Actor) => portal.portalOverview(this.ctx, actor);
  inviteDelegate = (actor: Actor, input: { name: string; email: string }) =>
    portal.inviteDelegate(this.ctx, actor, input);
  addCover = (actor: Actor, input: portal.CoverInput) => portal.addCover(this.ctx, actor, input);
  removeCover = (actor: Actor, coverId: string) => portal.removeCover(this.ctx, actor, coverId);

  // Changes asked for by authorities.
  requestChange = (actor: Actor | null, input: changeRequests.ChangeRequestInput) =>
    changeRequests.requestChange(this.ctx, actor, input);
  changeForConfirmation = (token: string) => changeRequests.changeForConfirmation(this.ctx, token);
  confirmChange = (token: string) => changeRequests.confirmChange(this.ctx, token);
  declineChange = (token: string) => changeRequests.declineChange(this.ctx, token);
  pendingChanges = (actor: Actor) => changeRequests.pendingChanges(this.ctx, actor);
  changeRequest = (actor: Actor, id: string) => changeRequests.changeRequest(this.ctx, actor, id);
  approveChange = (actor: Actor, id: string) => changeRequests.approveChange(this.ctx, actor, id);
  rejectChange = (actor: Actor, id: string, reason: string) => changeRequests.rejectChange(this.ctx, actor, id, reason);
  requesterFor = (actor: Actor) => changeRequests.requesterFor(this.ctx, actor);
}
