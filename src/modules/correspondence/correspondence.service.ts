import type { Kysely } from 'kysely';
import type { Clock } from '../../platform/clock.ts';
import type { DbOrTx } from '../../platform/db/database.ts';
import type { Database } from '../../platform/db/schema.ts';
import { defineJob } from '../../platform/jobs/queue.ts';
import type { ParsedMessage } from '../../platform/mail/parse.ts';
import type { Page } from '../../platform/pagination.ts';
import type { Actor } from '../accounts/domain.ts';
import type { TimelineEvent } from '../complaints/complaints.service.ts';
import * as bounces from './bounces.ts';
import {
  correspondenceContext,
  dispatchPayload,
  type CorrespondenceContext,
  type CorrespondenceDeps,
  type CorrespondenceSettings,
  type InboundFiledHook,
} from './context.ts';
import type { Addressee, Audience, NewItem } from './domain.ts';
import * as holdingPen from './holding-pen.ts';
import * as filing from './inbound-filing.ts';
import type { FilingOutcome } from './inbound-filing.ts';
import type { HeldListRow } from './inbound.repository.ts';
import * as outbound from './outbound.ts';
import * as portal from './portal.ts';
import * as reading from './reading.ts';
import type { ItemView } from './reading.ts';

export { dispatchPayload } from './context.ts';
export type { CorrespondenceSettings, InboundFiledHook } from './context.ts';
export type { FilingOutcome } from './inbound-filing.ts';
export type { AttachmentView, DeliveryView, ItemView } from './reading.ts';

/**
 * Correspondence on cases: items written to roles and sent to the addresses those roles have on the
 * day they go out, one delivery record per recipient; replies filed onto their case thread; delivery
 * reports and automatic replies recognised; everything else held for a person in the holding pen.
 * Each group of use cases is in its own file; this class is their one door.
 */
export class CorrespondenceService {
  private readonly ctx: CorrespondenceContext;
  readonly dispatchJob = defineJob({
    name: 'correspondence.dispatch',
    schema: dispatchPayload,
    retryLimit: 8,
    retryDelaySeconds: 30,
    handler: async ({ itemId }) => {
      await this.dispatch(itemId);
    },
  });

  constructor(db: Kysely<Database>, clock: Clock, deps: CorrespondenceDeps, settings: CorrespondenceSettings) {
    this.ctx = correspondenceContext(db, clock, deps, settings, this.dispatchJob);
  }

  onInboundFiled(hook: InboundFiledHook): void {
    this.ctx.inboundFiledHooks.push(hook);
  }

  // Writing and sending (outbound.ts).

  /**
   * Writes an outgoing item on a case, in the caller's transaction (`db`), and queues its sending.
   * Returns the item's id.
   */
  write(db: DbOrTx, input: NewItem): Promise<string> {
    return outbound.write(this.ctx, db, input);
  }

  /** Staff writing to a case's authority or complainant from the correspondence page. */
  compose(actor: Actor, complaintId: string, input: { addressee: Addressee; subject: string; text: string }) {
    return outbound.compose(this.ctx, actor, complaintId, input);
  }

  /** Items written but not yet addressed (e.g. written while no worker ran), for the periodic sweep. */
  dispatchPending(limit = 100): Promise<number> {
    return outbound.dispatchPending(this.ctx, limit);
  }

  /** Resolves an item's roles to today's addresses and queues its mail; idempotent. */
  dispatch(itemId: string): Promise<void> {
    return outbound.dispatch(this.ctx, itemId);
  }

  // Receiving (inbound-filing.ts).

  /** Files every stored message not yet processed (e.g. if filing failed when it arrived). */
  fileUnprocessed(limit = 100): Promise<number> {
    return filing.fileUnprocessed(this.ctx, limit);
  }

  /** Decides where one stored inbound message goes: its delivery, its case thread or the holding pen. */
  fileInbound(inboundId: string, parsedMail?: ParsedMessage): Promise<FilingOutcome> {
    return filing.fileInbound(this.ctx, inboundId, parsedMail);
  }

  // Bounces (bounces.ts).

  /** The relay refused outbox message `outboxId` for good as it was handed over: a bounce like any other. */
  refusedAtSend(outboxId: string, response: string): Promise<void> {
    return bounces.refusedAtSend(this.ctx, outboxId, response);
  }

  /** The mail an authority's contacts refused most recently (newest first), to help staff put an address right. */
  recentBounces(actor: Actor | null, authorityId: string, limit = 10) {
    return bounces.recentBounces(this.ctx, actor, authorityId, limit);
  }

  /** Authorities with a link officer whose address bounces, for the staff home page. */
  bouncingAuthorities(actor: Actor | null, limit = 10) {
    return bounces.bouncingAuthorities(this.ctx, actor, limit);
  }

  // Holding pen (holding-pen.ts).

  holdingPen(
    actor: Actor | null,
    query: { cursor?: string | undefined; limit: number },
  ): Promise<Page<HeldListRow> & { total: number }> {
    return holdingPen.holdingPen(this.ctx, actor, query);
  }

  heldMessage(actor: Actor | null, id: string) {
    return holdingPen.heldMessage(this.ctx, actor, id);
  }

  /** A held message's source as it was received, to download. */
  heldSource(actor: Actor | null, id: string): Promise<{ filename: string; source: Buffer }> {
    return holdingPen.heldSource(this.ctx, actor, id);
  }

  /** Files a held message onto a case by its reference, on the authority's or the complainant's thread. */
  assign(
    actor: Actor | null,
    id: string,
    input: { reference: string; audience: Audience },
  ): Promise<{ complaintId: string }> {
    return holdingPen.assign(this.ctx, actor, id, input);
  }

  discard(actor: Actor | null, id: string, reason: string): Promise<void> {
    return holdingPen.discard(this.ctx, actor, id, reason);
  }

  // Reading (reading.ts, portal.ts).

  /** A case's correspondence, oldest first, with every recipient's status. */
  caseCorrespondence(
    actor: Actor | null,
    complaintId: string,
  ): Promise<{
    complaint: { id: string; reference: string; authorityId: string; authorityName: string };
    items: ItemView[];
  }> {
    return reading.caseCorrespondence(this.ctx, actor, complaintId);
  }

  /** The case timeline's correspondence: every message sent and every reply filed. */
  timelineEvents(complaintId: string): Promise<TimelineEvent[]> {
    return reading.timelineEvents(this.ctx, complaintId);
  }

  /** What the ombudsman has sent to the actor's authority, newest first. */
  portalList(actor: Actor | null, query: { cursor?: string | undefined; limit: number }) {
    return portal.portalList(this.ctx, actor, query);
  }

  /** One item sent to the actor's authority; opening it records that the actor's delivery was opened. */
  portalItem(actor: Actor | null, itemId: string) {
    return portal.portalItem(this.ctx, actor, itemId);
  }
}
