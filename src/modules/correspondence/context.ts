import type { Kysely } from 'kysely';
import { z } from 'zod';
import type { AuditActor } from '../../platform/audit/audit.ts';
import type { Clock } from '../../platform/clock.ts';
import type { Tx } from '../../platform/db/database.ts';
import type { Database } from '../../platform/db/schema.ts';
import type { FilesService } from '../../platform/files/files.service.ts';
import type { JobDefinition, JobQueue } from '../../platform/jobs/queue.ts';
import type { Logger } from '../../platform/logger.ts';
import type { RawMailStore } from '../../platform/mail/raw-store.ts';
import { newReplyToken } from '../../platform/mail/reply-address.ts';
import type { LinkOfficersService } from '../link-officers/link-officers.service.ts';
import { BouncesRepository } from './bounces.repository.ts';
import { CorrespondenceRepository, type DeliveryRow, type ThreadRow } from './correspondence.repository.ts';
import type { Audience } from './domain.ts';
import { InboundRepository, type InboundMeta } from './inbound.repository.ts';
import type { Outbox } from '../../platform/mail/outbox.ts';

export interface CorrespondenceSettings {
  /** Our mail domain: reply addresses, Message-IDs and bounce addresses live here. */
  domain: string;
  /** First retry delay after a temporary failure report, in seconds (as the sender's). */
  retryBaseSeconds?: number;
}

/** The services correspondence calls. */
export interface CorrespondenceDeps {
  files: FilesService;
  rawMail: RawMailStore;
  jobs: JobQueue;
  mail: Outbox;
  logger: Logger;
  linkOfficers: LinkOfficersService;
}

/**
 * Work another module does when a message is filed on a case, in the filing's transaction (a contact
 * restriction flags what its person sent). It may record and flag, never refuse: the message is filed.
 */
export type InboundFiledHook = (
  trx: Tx,
  filed: {
    itemId: string;
    complaintId: string;
    audience: Audience;
    /** The sender's bare address, lower case; null when the message had none. */
    fromAddress: string | null;
    /** The addresses in its envelope and its To and Cc headers. */
    toAddresses: readonly string[];
    receivedAt: Date;
  },
) => Promise<void>;

export const dispatchPayload = z.object({ itemId: z.uuid() });

/**
 * What every correspondence use case works with: the module's repositories, the clock, the settings,
 * the services it calls, the hooks other modules added and the job that sends an item.
 */
export interface CorrespondenceContext {
  db: Kysely<Database>;
  repo: CorrespondenceRepository;
  inbound: InboundRepository;
  bounces: BouncesRepository;
  clock: Clock;
  settings: CorrespondenceSettings;
  deps: CorrespondenceDeps;
  inboundFiledHooks: InboundFiledHook[];
  dispatchJob: JobDefinition<typeof dispatchPayload>;
}

export function correspondenceContext(
  db: Kysely<Database>,
  clock: Clock,
  deps: CorrespondenceDeps,
  settings: CorrespondenceSettings,
  dispatchJob: JobDefinition<typeof dispatchPayload>,
): CorrespondenceContext {
  return {
    db,
    repo: new CorrespondenceRepository(db),
    inbound: new InboundRepository(db),
    bounces: new BouncesRepository(db),
    clock,
    settings,
    deps,
    inboundFiledHooks: [],
    dispatchJob,
  };
}

export const SYSTEM: AuditActor = { type: 'system', id: null };

/** One address an item goes to, in the role it is sent to. */
export interface Recipient {
  address: string;
  role: DeliveryRow['recipient_role'];
  linkOfficerId: string | null;
}

/** The case's thread for an audience, made (with a fresh reply token) if it has none yet. */
export async function ensureThread(
  ctx: CorrespondenceContext,
  repo: CorrespondenceRepository,
  complaint: { id: string; authority_id: string },
  audience: Audience,
): Promise<ThreadRow> {
  return (
    (await repo.threadFor(complaint.id, audience)) ??
    repo.ensureThread({
      complaint_id: complaint.id,
      authority_id: complaint.authority_id,
      audience,
      reply_token: newReplyToken(),
      created_at: ctx.clock.now(),
    })
  );
}

/** An inbound message's source: its file, or its row for messages stored before files. */
export function rawOf(
  ctx: CorrespondenceContext,
  repo: InboundRepository,
  inbound: Pick<InboundMeta, 'id' | 'raw_key'>,
): Promise<Buffer> {
  return inbound.raw_key !== null ? ctx.deps.rawMail.read(inbound.raw_key) : repo.inboundRawColumn(inbound.id);
}
