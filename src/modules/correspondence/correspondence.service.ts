import type { Kysely } from 'kysely';
import { simpleParser } from 'mailparser';
import { z } from 'zod';
import { writeAudit, type AuditActor } from '../../platform/audit/audit.ts';
import type { Clock } from '../../platform/clock.ts';
import type { DbOrTx, Tx } from '../../platform/db/database.ts';
import type { Database } from '../../platform/db/schema.ts';
import { DomainError, conflict, forbidden, invalid, notFound } from '../../platform/errors.ts';
import type { FilesService } from '../../platform/files/files.service.ts';
import { safeFilename } from '../../platform/files/sniff.ts';
import { defineJob, type JobQueue } from '../../platform/jobs/queue.ts';
import type { Logger } from '../../platform/logger.ts';
import { autoReplyReason, fromNullSender, parseDsn, statusKind, type Dsn } from '../../platform/mail/classify.ts';
import { PARSE_OPTIONS, type ParsedMessage } from '../../platform/mail/parse.ts';
import { letterPdf } from '../../platform/mail/letter-pdf.ts';
import { enqueueMail } from '../../platform/mail/outbox.ts';
import type { RawMailStore } from '../../platform/mail/raw-store.ts';
import {
  newReplyToken,
  outboxIdFromBounceAddress,
  outboxIdFromMessageId,
  replyAddress,
  replyTokenFromAddress,
  threadIdFromMessageId,
  threadMessageId,
} from '../../platform/mail/reply-address.ts';
import { retryDelayMs } from '../../platform/mail/sender.ts';
import { decodeCursor, toPage, type Page } from '../../platform/pagination.ts';
import { auditActor, can, type Actor, type Permission } from '../accounts/domain.ts';
import type { TimelineEvent } from '../complaints/complaints.service.ts';
import type { LinkOfficersService } from '../link-officers/link-officers.service.ts';
import {
  DELIVERY_STATUS_NAMES,
  KIND_NAMES,
  KINDS_ON_THEIR_OWN_TIMELINE,
  SENDER_ROLE_NAMES,
  addresseesPhrase,
  audienceOf,
  bareAddress,
  caseReferenceInSubject,
  deliveryStatus,
  deliverySummary,
  isAuthoritySender,
  isAutomatic,
  isLetter,
  textToHtml,
  type Addressee,
  type Audience,
  type DeliveryStatus,
  type HoldReason,
  type ItemKind,
  type NewItem,
  RECIPIENT_ROLE_NAMES,
} from './domain.ts';
import { BouncesRepository } from './bounces.repository.ts';
import {
  CorrespondenceRepository,
  type DeliveryRow,
  type HeldListRow,
  type InboundMeta,
  type ItemRow,
  type ThreadRow,
} from './correspondence.repository.ts';

/**
 * The permissions under which staff write on a case (a message, an enquiry, a decision, a remedy's
 * or a report's letters): the timeline names the writer by the role that let them.
 */
const WRITING_PERMISSIONS: readonly Permission[] = [
  'holding-pen:triage',
  'enquiries:send',
  'decisions:write',
  'remedies:review',
  'public-reports:manage',
  'complaints:assess',
];

export interface CorrespondenceSettings {
  /** Our mail domain: reply addresses, Message-IDs and bounce addresses live here. */
  domain: string;
  /** First retry delay after a temporary failure report, in seconds (as the sender's). */
  retryBaseSeconds?: number;
}

interface Recipient {
  address: string;
  role: DeliveryRow['recipient_role'];
  linkOfficerId: string | null;
}

export interface DeliveryView {
  id: string;
  address: string;
  role: DeliveryRow['recipient_role'];
  status: DeliveryStatus;
  statusName: string;
  smtpResponse: string | null;
  lastError: string | null;
  bounceStatus: string | null;
  bounceDiagnostic: string | null;
  sentAt: Date | null;
  bouncedAt: Date | null;
  openedAt: Date | null;
  fallback: boolean;
}

export interface AttachmentView {
  id: string;
  documentId: string | null;
  filename: string;
  contentType: string;
  size: number;
  rejectedReason: string | null;
}

export interface ItemView {
  id: string;
  direction: 'outbound' | 'inbound';
  audience: Audience;
  kind: ItemKind;
  kindName: string;
  addressees: Addressee[];
  isLetter: boolean;
  subject: string;
  text: string;
  from: string | null;
  /** Who sent an inbound item, as the case knew them when it was filed: "Sam Jones, Link officer"; null if unknown. */
  sender: string | null;
  autoReplyReason: string | null;
  countsAsResponse: boolean;
  createdAt: Date;
  sentAt: Date | null;
  receivedAt: Date | null;
  deliveries: DeliveryView[];
  attachments: AttachmentView[];
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

export type FilingOutcome =
  | { status: 'filed'; threadId: string; itemId: string; autoReply: boolean }
  | { status: 'held'; reason: HoldReason }
  | { status: 'bounce' }
  | { status: 'skipped' };

const SYSTEM: AuditActor = { type: 'system', id: null };
const SENIOR_ROLES: readonly DeliveryRow['recipient_role'][] = [
  'chief-executive',
  'monitoring-officer',
  'head-of-service',
];
const AUTHORITY_ROLES: readonly DeliveryRow['recipient_role'][] = [
  'link-officer',
  'cover',
  'generic-inbox',
  'chief-executive',
];

export const dispatchPayload = z.object({ itemId: z.uuid() });

const heldCursor = z.tuple([z.string(), z.uuid()]);

/**
 * A message that could not be read is never filed on a case: what it says is unknown, and an empty
 * item would count as the authority's response. Staff read its source and discard it.
 */
const UNREADABLE_NOT_FILED =
  'This message could not be read, so it cannot be filed on a case. Download its source to read it, add anything it holds to the case yourself, then discard it.';
const portalCursor = z.tuple([z.string(), z.uuid()]);

const headerOf =
  (parsed: ParsedMessage) =>
  (name: string): string | undefined => {
    const value = parsed.headers.get(name);
    if (value === undefined || value === null) return undefined;
    if (typeof value === 'string') return value;
    if (typeof value === 'object' && 'value' in value && typeof value.value === 'string') return value.value;
    return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string').join(', ') : undefined;
  };

/**
 * Correspondence on cases: items written to roles and sent to the addresses those roles have on the
 * day they go out, one delivery record per recipient; replies filed onto their case thread; delivery
 * reports and automatic replies recognised; everything else held for a person in the holding pen.
 */
export class CorrespondenceService {
  private readonly repo: CorrespondenceRepository;
  private readonly inboundFiledHooks: InboundFiledHook[] = [];
  readonly dispatchJob = defineJob({
    name: 'correspondence.dispatch',
    schema: dispatchPayload,
    retryLimit: 8,
    retryDelaySeconds: 30,
    handler: async ({ itemId }) => {
      await this.dispatch(itemId);
    },
  });

  constructor(
    private readonly db: Kysely<Database>,
    private readonly clock: Clock,
    private readonly deps: {
      files: FilesService;
      rawMail: RawMailStore;
      jobs: JobQueue;
      logger: Logger;
      linkOfficers: LinkOfficersService;
    },
    private readonly settings: CorrespondenceSettings,
  ) {
    this.repo = new CorrespondenceRepository(db);
  }

  onInboundFiled(hook: InboundFiledHook): void {
    this.inboundFiledHooks.push(hook);
  }

  // Writing -------------------------------------------------------------------------------------

  /**
   * Writes an outgoing item on a case, in the caller's transaction (`db`), and queues its sending.
   * Nothing is addressed yet: the roles are resolved to addresses when the job sends it. Returns the
   * item's id. The subject gains the case reference if it lacks one, so replies can be matched by it.
   */
  async write(db: DbOrTx, input: NewItem): Promise<string> {
    const repo = this.repo.with(db);
    const addressees = [...new Set(input.addressees)];
    if (addressees.length === 0) throw invalid([{ field: 'addressees', message: 'Select who the message is for' }]);
    if (addressees.includes('complainant') && addressees.length > 1) {
      throw invalid([{ field: 'addressees', message: 'Write to the complainant separately from the authority' }]);
    }
    const complaint = await repo.complaint(input.complaintId);
    if (!complaint) throw notFound('The complaint');
    const thread = await this.ensureThread(repo, complaint, audienceOf(addressees));
    const subject = caseReferenceInSubject(input.subject)
      ? input.subject
      : `${input.subject} (our reference ${complaint.reference})`;
    const item = await repo.insertItem({
      thread_id: thread.id,
      complaint_id: complaint.id,
      authority_id: complaint.authority_id,
      direction: 'outbound',
      kind: input.kind,
      addressees,
      is_letter: isLetter(addressees) || input.letter === true,
      subject,
      text_body: input.text,
      html_body: textToHtml(input.text, { title: subject }),
      message_id: input.inReplyToItemId ? ((await repo.item(input.inReplyToItemId))?.message_id ?? null) : null,
      created_by: input.actor?.type === 'user' ? input.actor.id : null,
      created_at: this.clock.now(),
    });
    await writeAudit(db, {
      actor: input.actor ? auditActor(input.actor) : SYSTEM,
      action: 'correspondence.written',
      recordType: 'correspondence-item',
      recordId: item.id,
      authorityId: complaint.authority_id,
      requestId: input.actor?.requestId ?? null,
    });
    await this.deps.jobs.enqueue(db, this.dispatchJob, { itemId: item.id });
    return item.id;
  }

  /** Staff writing to a case's authority or complainant from the correspondence page. */
  async compose(
    actor: Actor,
    complaintId: string,
    input: { addressee: Addressee; subject: string; text: string },
  ): Promise<string> {
    if (actor.authorityId !== null || !can(actor, 'holding-pen:triage')) throw forbidden();
    return this.db.transaction().execute((trx) =>
      this.write(trx, {
        complaintId,
        kind: 'message',
        addressees: [input.addressee],
        subject: input.subject,
        text: input.text,
        actor,
      }),
    );
  }

  private async ensureThread(
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
        created_at: this.clock.now(),
      })
    );
  }

  // Sending -------------------------------------------------------------------------------------

  /** Items written but not yet addressed (e.g. written while no worker ran), for the periodic sweep. */
  async dispatchPending(limit = 100): Promise<number> {
    const rows = await this.repo.undispatchedItems(limit);
    for (const row of rows) await this.dispatch(row.id);
    return rows.length;
  }

  /**
   * Resolves an item's roles to today's addresses and writes one delivery and one outbox message per
   * recipient, in one transaction. Idempotent: a second run finds the item dispatched and does nothing.
   */
  async dispatch(itemId: string): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      const repo = this.repo.with(trx);
      const item = await repo.lockItem(itemId);
      if (!item || item.direction !== 'outbound' || item.dispatched_at) return;
      const recipients = await this.resolve(repo, item.authority_id, item.complaint_id, item.addressees as Addressee[]);
      for (const recipient of recipients) await this.deliver(trx, item, recipient, null);
      await repo.markDispatched(item.id, this.clock.now());
    });
  }

  /** Who the roles are today. Link officers and a generic inbox whose mail bounces are skipped for the other officer, the generic inbox, or the chief executive. */
  private async resolve(
    repo: CorrespondenceRepository,
    authorityId: string,
    complaintId: string,
    addressees: readonly Addressee[],
  ): Promise<Recipient[]> {
    const out: Recipient[] = [];
    const seen = new Set<string>();
    const add = (r: Recipient) => {
      const key = r.address.trim().toLowerCase();
      if (key === '' || seen.has(key)) return;
      seen.add(key);
      out.push({ ...r, address: r.address.trim() });
    };
    for (const addressee of addressees) {
      switch (addressee) {
        case 'link-officers':
          for (const r of await this.linkOfficerRecipients(repo, authorityId)) add(r);
          break;
        case 'chief-executive': {
          const ce = await repo.chiefExecutive(authorityId);
          if (ce) add({ address: ce.email, role: 'chief-executive', linkOfficerId: null });
          break;
        }
        case 'monitoring-officer':
        case 'head-of-service': {
          // The officer for the role (the head of service for the complaint's service area); the chief
          // executive stands in when none is recorded, so the item always reaches the authority's leadership.
          const officer = await repo.seniorOfficerFor(authorityId, complaintId, addressee);
          if (officer) add({ address: officer.email, role: addressee, linkOfficerId: null });
          else {
            const ce = await repo.chiefExecutive(authorityId);
            if (ce) add({ address: ce.email, role: 'chief-executive', linkOfficerId: null });
          }
          break;
        }
        case 'complainant':
          for (const party of await repo.parties(complaintId)) {
            if (party.email) add({ address: party.email, role: party.role, linkOfficerId: null });
          }
          break;
      }
    }
    return out;
  }

  private async linkOfficerRecipients(repo: CorrespondenceRepository, authorityId: string): Promise<Recipient[]> {
    const [failing, failingInbox] = await Promise.all([
      new BouncesRepository(repo.db).failingOfficers(authorityId),
      new BouncesRepository(repo.db).failingInbox(authorityId),
    ]);
    const failingIds = new Set(failing.map((f) => f.id));
    const failingAddresses = new Set(
      [...failing.flatMap((f) => [f.email, f.correspondence_email]), failingInbox]
        .filter((a): a is string => !!a)
        .map((a) => a.toLowerCase()),
    );
    const resolved = await this.deps.linkOfficers.correspondenceRecipients(authorityId, this.clock.now(), repo.db);
    const kept: Recipient[] = resolved
      .filter((r) => !failingAddresses.has(r.email.toLowerCase()))
      .filter((r) => !(r.as === 'link-officer' && r.linkOfficerId && failingIds.has(r.linkOfficerId)))
      .map((r) => ({ address: r.email, role: r.as, linkOfficerId: r.linkOfficerId ?? null }));
    if (kept.length > 0) return kept;
    const ce = await repo.chiefExecutive(authorityId);
    return ce ? [{ address: ce.email, role: 'chief-executive', linkOfficerId: null }] : [];
  }

  /** One recipient: its delivery row and its outbox message (idempotent per item and address). */
  private async deliver(trx: Tx, item: ItemRow, recipient: Recipient, fallbackFor: string | null): Promise<void> {
    const repo = this.repo.with(trx);
    const delivery = await repo.insertDelivery({
      item_id: item.id,
      authority_id: item.authority_id,
      recipient_role: recipient.role,
      link_officer_id: recipient.linkOfficerId,
      address: recipient.address,
      fallback_for: fallbackFor,
      created_at: this.clock.now(),
    });
    if (!delivery) return;
    const thread = await repo.thread(item.thread_id);
    const complaint = await repo.complaint(item.complaint_id);
    if (!thread || !complaint) return;
    const references = [threadMessageId(thread.id, this.settings.domain)];
    if (item.message_id) references.push(item.message_id);
    const headers: Record<string, string> = {
      'Reply-To': replyAddress(thread.reply_token, this.settings.domain),
      References: references.join(' '),
      'X-Liaison-Case': complaint.reference,
    };
    if (item.message_id) headers['In-Reply-To'] = item.message_id;
    if (isAutomatic(item.kind as ItemKind)) {
      headers['Auto-Submitted'] = 'auto-generated';
      // Ask mail servers not to answer a robot with a robot.
      headers['X-Auto-Response-Suppress'] = 'OOF, AutoReply';
    }
    const attachments = item.is_letter
      ? [
          {
            filename: `letter-${complaint.reference.replace(/ /g, '')}.pdf`,
            contentType: 'application/pdf',
            content: letterPdf({ title: item.subject, body: item.text_body }),
          },
        ]
      : [];
    const outboxId = await enqueueMail(trx, {
      kind: `correspondence.${item.kind}`,
      to: recipient.address,
      subject: item.subject,
      text: item.text_body,
      // Items written in bulk by SQL (reminders) leave the HTML to be made here.
      html: item.html_body ?? textToHtml(item.text_body, { title: item.subject }),
      headers,
      // Keyed by the delivery (one per item and recipient), never by the address, which erasure removes.
      idempotencyKey: `correspondence-delivery:${delivery.id}`,
      attachments,
    });
    if (outboxId) await repo.setDeliveryOutbox(delivery.id, outboxId);
  }

  // Receiving -----------------------------------------------------------------------------------

  /** Files every stored message not yet processed (e.g. if filing failed when it arrived). */
  async fileUnprocessed(limit = 100): Promise<number> {
    const rows = await this.repo.unprocessedInbound(limit);
    for (const row of rows) await this.fileInbound(row.id);
    return rows.length;
  }

  /**
   * Decides where one stored inbound message goes: a delivery report updates its delivery; a reply
   * is filed on its case thread (by reply address, then In-Reply-To/References, then the case
   * reference in the subject) if its sender is someone the thread writes to; anything else waits in
   * the holding pen. Automatic replies are filed but never count as a response; nothing is ever sent
   * back to any inbound message.
   */
  async fileInbound(inboundId: string, parsedMail?: ParsedMessage): Promise<FilingOutcome> {
    return this.db.transaction().execute(async (trx) => {
      const repo = this.repo.with(trx);
      const inbound = await repo.lockInboundMeta(inboundId);
      if (!inbound || inbound.status !== 'unfiled') return { status: 'skipped' } as const;
      const now = this.clock.now();

      const bounceTo = inbound.envelope_to
        .map((a) => outboxIdFromBounceAddress(a, this.settings.domain))
        .find((id): id is string => id !== null);
      // The raw source is read back only when it is needed: a delivery report, or nothing parsed yet.
      const maybeReport =
        !parsedMail || bounceTo !== undefined || /multipart\/report/i.test(headerOf(parsedMail)('content-type') ?? '');
      const raw = maybeReport ? await this.rawOf(repo, inbound) : null;
      const dsn = raw ? parseDsn(raw) : null;
      if (dsn || bounceTo) {
        const outboxId =
          bounceTo ??
          (dsn?.originalMessageId ? outboxIdFromMessageId(dsn.originalMessageId, this.settings.domain) : null);
        const handled = dsn && outboxId ? await this.applyDsn(trx, outboxId, dsn) : false;
        if (handled) {
          await repo.updateInbound(inbound.id, { status: 'bounce', processed_at: now });
          return { status: 'bounce' } as const;
        }
        if (dsn || fromNullSender(inbound.envelope_from)) {
          await this.hold(trx, inbound, 'unknown-bounce', null);
          return { status: 'held', reason: 'unknown-bounce' } as const;
        }
      }

      const parsed = parsedMail ?? (await simpleParser(raw ?? (await this.rawOf(repo, inbound)), PARSE_OPTIONS));
      const autoReason = autoReplyReason({
        header: headerOf(parsed),
        subject: inbound.subject,
        envelopeFrom: inbound.envelope_from,
      });
      const thread = await this.matchThread(repo, inbound);
      if (!thread) {
        await this.hold(trx, inbound, 'no-match', autoReason);
        return { status: 'held', reason: 'no-match' } as const;
      }
      const sender = bareAddress(inbound.from_address) ?? bareAddress(inbound.envelope_from);
      if (!sender || !(await this.isCorrespondent(repo, thread, sender))) {
        await repo.updateInbound(inbound.id, { thread_id: thread.id });
        await this.hold(trx, inbound, 'unknown-sender', autoReason);
        return { status: 'held', reason: 'unknown-sender' } as const;
      }
      const itemId = await this.fileOnto(trx, inbound, parsed, thread, autoReason, null);
      return { status: 'filed', threadId: thread.id, itemId, autoReply: autoReason !== null } as const;
    });
  }

  /** An inbound message's source: its file, or its row for messages stored before files. */
  private rawOf(repo: CorrespondenceRepository, inbound: Pick<InboundMeta, 'id' | 'raw_key'>): Promise<Buffer> {
    return inbound.raw_key !== null ? this.deps.rawMail.read(inbound.raw_key) : repo.inboundRawColumn(inbound.id);
  }

  private async matchThread(repo: CorrespondenceRepository, inbound: InboundMeta): Promise<ThreadRow | null> {
    // 1. The reply address: case+<token>@domain, in the envelope or the To/Cc header.
    const candidates = [...inbound.envelope_to, ...(inbound.to_addresses ?? '').split(/[,;]/)];
    for (const candidate of candidates) {
      const address = bareAddress(candidate) ?? candidate;
      const token = replyTokenFromAddress(address, this.settings.domain);
      if (!token) continue;
      const thread = await repo.threadByToken(token);
      if (thread) return thread;
    }
    // 2. In-Reply-To, then References, newest first.
    const ids = [inbound.in_reply_to, ...[...inbound.message_references].reverse()].filter((v): v is string => !!v);
    for (const id of ids) {
      const threadId = threadIdFromMessageId(id, this.settings.domain);
      if (threadId) {
        const thread = await repo.thread(threadId);
        if (thread) return thread;
      }
      const outboxId = outboxIdFromMessageId(id, this.settings.domain);
      if (outboxId) {
        const delivery = await repo.deliveryByOutbox(outboxId);
        const item = delivery ? await repo.item(delivery.item_id) : undefined;
        const thread = item ? await repo.thread(item.thread_id) : undefined;
        if (thread) return thread;
      }
      const earlier = await repo.itemByMessageId(id);
      if (earlier) {
        const thread = await repo.thread(earlier.thread_id);
        if (thread) return thread;
      }
    }
    // 3. A case reference in the subject: the complainant's thread if they sent it, else the authority's.
    const reference = caseReferenceInSubject(inbound.subject);
    if (!reference) return null;
    const complaint = await repo.complaintByReference(reference);
    if (!complaint) return null;
    const sender = bareAddress(inbound.from_address);
    const parties = await repo.parties(complaint.id);
    const fromParty = sender !== null && parties.some((p) => p.email?.toLowerCase() === sender);
    return this.ensureThread(repo, complaint, fromParty ? 'complainant' : 'authority');
  }

  /** Whether `sender` is someone the thread writes to (now or before). */
  private async isCorrespondent(repo: CorrespondenceRepository, thread: ThreadRow, sender: string): Promise<boolean> {
    if ((await repo.threadAddresses(thread.id)).includes(sender)) return true;
    if (thread.audience === 'complainant') {
      return (await repo.parties(thread.complaint_id)).some((p) => p.email?.toLowerCase() === sender);
    }
    return (await repo.authorityAddresses(thread.authority_id)).includes(sender);
  }

  private async hold(trx: Tx, inbound: InboundMeta, reason: HoldReason, autoReason: string | null): Promise<void> {
    await this.repo.with(trx).updateInbound(inbound.id, {
      status: 'held',
      hold_reason: reason,
      auto_reply_reason: autoReason,
      processed_at: this.clock.now(),
    });
    await writeAudit(trx, {
      actor: SYSTEM,
      action: 'inbound-mail.held',
      recordType: 'inbound-message',
      recordId: inbound.id,
    });
  }

  /** Files a message on a thread: an inbound item, its attachments as case documents. */
  private async fileOnto(
    trx: Tx,
    inbound: InboundMeta,
    parsed: ParsedMessage,
    thread: ThreadRow,
    autoReason: string | null,
    actor: Actor | null,
  ): Promise<string> {
    const repo = this.repo.with(trx);
    const now = this.clock.now();
    const fromAddress = bareAddress(inbound.from_address) ?? bareAddress(inbound.envelope_from);
    // Who sent it, as the case knows them today: kept with the item, so the timeline names the role
    // they held when they wrote.
    const sender = fromAddress ? await repo.sender(thread.complaint_id, thread.authority_id, fromAddress) : null;
    const item = await repo.insertItem({
      thread_id: thread.id,
      complaint_id: thread.complaint_id,
      authority_id: thread.authority_id,
      direction: 'inbound',
      kind: 'reply',
      subject: inbound.subject ?? '(no subject)',
      text_body: inbound.text_body ?? parsed.text ?? '',
      html_body: null,
      from_address: fromAddress,
      sender_role: sender?.role ?? null,
      sender_name: sender?.name ?? null,
      message_id: inbound.message_id,
      inbound_message_id: inbound.id,
      auto_reply_reason: autoReason,
      counts_as_response: autoReason === null,
      created_by: actor?.type === 'user' ? actor.id : null,
      created_at: inbound.received_at,
    });
    for (const attachment of parsed.attachments) {
      if (attachment.related && !attachment.filename) continue; // inline images of an HTML body
      const filename = attachment.filename ?? 'attachment';
      try {
        const document = await this.deps.files.store(trx, attachment.content, {
          filename,
          complaintId: thread.complaint_id,
          authorityId: thread.authority_id,
          uploadedBy: actor,
          description: 'Received by email',
        });
        await repo.insertAttachment({
          item_id: item.id,
          document_id: document.id,
          filename: document.filename,
          content_type: document.content_type,
          size: document.size,
          rejected_reason: null,
        });
      } catch (error) {
        if (!(error instanceof DomainError)) throw error;
        await repo.insertAttachment({
          item_id: item.id,
          document_id: null,
          // A refused attachment keeps its name as the files service would have stored it.
          filename: safeFilename(filename, 'bin'),
          content_type: attachment.contentType,
          size: attachment.size,
          rejected_reason: error.fields[0]?.message ?? error.message,
        });
      }
    }
    await repo.updateInbound(inbound.id, {
      status: 'filed',
      thread_id: thread.id,
      auto_reply_reason: autoReason,
      processed_at: now,
      ...(actor ? { decided_by: actor.type === 'user' ? actor.id : null, decided_at: now } : {}),
    });
    await writeAudit(trx, {
      actor: actor ? auditActor(actor) : SYSTEM,
      action: autoReason ? 'correspondence.auto-reply-filed' : 'correspondence.filed',
      recordType: 'correspondence-item',
      recordId: item.id,
      authorityId: thread.authority_id,
      requestId: actor?.requestId ?? null,
    });
    const toAddresses = [...inbound.envelope_to, ...(inbound.to_addresses ?? '').split(/[,;]/)]
      .map((a) => bareAddress(a))
      .filter((a): a is string => a !== null);
    for (const hook of this.inboundFiledHooks) {
      await hook(trx, {
        itemId: item.id,
        complaintId: thread.complaint_id,
        audience: thread.audience,
        fromAddress,
        toAddresses,
        receivedAt: inbound.received_at,
      });
    }
    return item.id;
  }

  // Delivery reports -----------------------------------------------------------------------------

  /**
   * Applies a delivery report to the delivery of outbox message `outboxId`. A permanent failure marks
   * the delivery bounced, the link officer's address failing, and sends the item to whoever stands in;
   * a temporary one marks it deferred and, if the remote server gave up, queues it again with backoff.
   * Returns false when the report concerns no message of ours.
   */
  private async applyDsn(trx: Tx, outboxId: string, dsn: Dsn): Promise<boolean> {
    const repo = this.repo.with(trx);
    const outbox = await repo.outboxMessage(outboxId);
    if (!outbox) return false;
    const now = this.clock.now();
    const delivery = await repo.deliveryByOutbox(outboxId);
    const report =
      dsn.recipients.find((r) => r.recipient === outbox.to_address.toLowerCase()) ?? dsn.recipients[0] ?? null;
    if (!report) return true;
    const kind = statusKind(report.status);
    if (!delivery) {
      // Mail outside correspondence (an invitation, say): the outbox keeps the report.
      if (kind !== 'success')
        await repo.noteOutboxBounce(outboxId, `Delivery report: ${report.status} ${report.diagnostic ?? ''}`.trim());
      return true;
    }
    if (kind === 'success') return true;
    if (kind === 'temporary') {
      await repo.updateDelivery(delivery.id, { deferred_at: now });
      if (report.action === 'failed') {
        await repo.requeueOutbox(
          outboxId,
          new Date(now.getTime() + retryDelayMs(outbox.attempts, this.settings.retryBaseSeconds)),
        );
      }
      return true;
    }
    await repo.updateDelivery(delivery.id, {
      bounced_at: now,
      bounce_status: report.status,
      bounce_diagnostic: report.diagnostic?.slice(0, 1000) ?? null,
    });
    await writeAudit(trx, {
      actor: SYSTEM,
      action: 'correspondence.bounced',
      recordType: 'correspondence-delivery',
      recordId: delivery.id,
      authorityId: delivery.authority_id,
    });
    if (delivery.recipient_role === 'link-officer' || delivery.recipient_role === 'cover') {
      const marked = await new BouncesRepository(repo.db).markOfficerFailing(
        delivery.authority_id,
        delivery.recipient_role === 'link-officer' ? delivery.link_officer_id : null,
        delivery.address,
        report.status,
        now,
      );
      for (const officer of marked) {
        await writeAudit(trx, {
          actor: SYSTEM,
          action: 'link-officer.address-failing',
          recordType: 'link-officer',
          recordId: officer.id,
          authorityId: delivery.authority_id,
        });
      }
    }
    if (delivery.recipient_role === 'generic-inbox' || SENIOR_ROLES.includes(delivery.recipient_role)) {
      const inbox = delivery.recipient_role === 'generic-inbox';
      const marked = await new BouncesRepository(repo.db).markContactFailing(
        delivery.authority_id,
        inbox ? 'generic-inbox' : 'senior-officer',
        delivery.address,
        report.status,
        now,
      );
      for (const contact of marked) {
        await writeAudit(trx, {
          actor: SYSTEM,
          action: inbox ? 'authority.inbox-failing' : 'senior-officer.address-failing',
          recordType: inbox ? 'authority' : 'senior-officer',
          recordId: contact.id,
          authorityId: delivery.authority_id,
        });
      }
    }
    await this.fallBack(trx, delivery);
    return true;
  }

  /**
   * The relay refused outbox message `outboxId` for good as it was handed over (a 5xx answer, e.g.
   * `550 5.1.1 no such user`): for correspondence this is a bounce like any delivery report, so the
   * delivery is marked, the address marked failing on its contact, and the item falls back.
   */
  async refusedAtSend(outboxId: string, response: string): Promise<void> {
    const status = /\b([45]\.\d{1,3}\.\d{1,3})\b/.exec(response)?.[1] ?? '5.0.0';
    await this.db.transaction().execute(async (trx) => {
      const repo = this.repo.with(trx);
      // Mail outside correspondence keeps the refusal on its outbox row alone (the sender wrote it).
      const delivery = await repo.deliveryByOutbox(outboxId);
      if (!delivery || delivery.bounced_at) return;
      // The report's only recipient is the message's own (applyDsn takes it when no address matches).
      await this.applyDsn(trx, outboxId, {
        recipients: [
          { recipient: delivery.address.toLowerCase(), action: 'failed', status, diagnostic: response.trim() || null },
        ],
        originalMessageId: null,
      });
    });
  }

  /** After a bounce, if nobody at the authority still has the item, send it to whoever stands in. */
  private async fallBack(trx: Tx, bounced: DeliveryRow): Promise<void> {
    if (!AUTHORITY_ROLES.includes(bounced.recipient_role)) return;
    const repo = this.repo.with(trx);
    const item = await repo.item(bounced.item_id);
    if (!item) return;
    const deliveries = await repo.deliveriesOfItem(item.id);
    const live = deliveries.filter(
      (d) => d.id !== bounced.id && !d.bounced_at && AUTHORITY_ROLES.includes(d.recipient_role),
    );
    if (live.length > 0) return;
    const already = new Set(deliveries.map((d) => d.address.toLowerCase()));
    let candidates = (await this.linkOfficerRecipients(repo, item.authority_id)).filter(
      (r) => !already.has(r.address.toLowerCase()),
    );
    if (candidates.length === 0) {
      const ce = await repo.chiefExecutive(item.authority_id);
      if (ce && !already.has(ce.email.toLowerCase()))
        candidates = [{ address: ce.email, role: 'chief-executive', linkOfficerId: null }];
    }
    for (const candidate of candidates) await this.deliver(trx, item, candidate, bounced.id);
  }

  // Holding pen ---------------------------------------------------------------------------------

  private assertTriage(actor: Actor | null): asserts actor is Actor {
    if (!actor || actor.authorityId !== null || !can(actor, 'holding-pen:triage')) throw forbidden();
  }

  async holdingPen(
    actor: Actor | null,
    query: { cursor?: string | undefined; limit: number },
  ): Promise<Page<HeldListRow> & { total: number }> {
    this.assertTriage(actor);
    const after = query.cursor ? decodeCursor(query.cursor, heldCursor) : null;
    const [rows, total] = await Promise.all([this.repo.held(query.limit + 1, after), this.repo.countHeld()]);
    return { ...toPage(rows, query.limit, (r) => [r.received_key, r.id]), total };
  }

  async heldMessage(actor: Actor | null, id: string) {
    this.assertTriage(actor);
    const row = await this.repo.inbound(id);
    if (!row || row.status !== 'held') throw notFound('The message');
    // A message the gateway could not read is not parsed again here: it would fail again.
    const unreadable = row.hold_reason === 'unreadable';
    const parsed = unreadable ? null : await simpleParser(await this.rawOf(this.repo, row), PARSE_OPTIONS);
    const suggestion = row.thread_id
      ? await this.repo.thread(row.thread_id)
      : caseReferenceInSubject(row.subject)
        ? await this.repo.complaintByReference(caseReferenceInSubject(row.subject) ?? '')
        : undefined;
    const suggestedReference = suggestion
      ? 'reference' in suggestion
        ? suggestion.reference
        : ((await this.repo.complaint(suggestion.complaint_id))?.reference ?? null)
      : null;
    return {
      id: row.id,
      receivedAt: row.received_at,
      from: row.from_address,
      to: row.to_addresses,
      subject: row.subject,
      text: row.text_body,
      holdReason: row.hold_reason as HoldReason | null,
      autoReplyReason: row.auto_reply_reason,
      unreadableReason: unreadable ? (row.unreadable_reason ?? 'no reason was recorded') : null,
      attachments: (parsed?.attachments ?? [])
        .filter((a) => !(a.related && !a.filename))
        .map((a) => ({ filename: a.filename ?? 'attachment', contentType: a.contentType, size: a.size })),
      suggestedReference,
    };
  }

  /** A held message's source as it was received, to download (e.g. to read one that could not be parsed). */
  async heldSource(actor: Actor | null, id: string): Promise<{ filename: string; source: Buffer }> {
    this.assertTriage(actor);
    const row = await this.repo.inbound(id);
    if (!row || row.status !== 'held') throw notFound('The message');
    return { filename: `message-${row.id}.eml`, source: await this.rawOf(this.repo, row) };
  }

  /** Files a held message onto a case by its reference, on the authority's or the complainant's thread. */
  async assign(
    actor: Actor | null,
    id: string,
    input: { reference: string; audience: Audience },
  ): Promise<{ complaintId: string }> {
    this.assertTriage(actor);
    return this.db.transaction().execute(async (trx) => {
      const repo = this.repo.with(trx);
      const inbound = await repo.lockInbound(id);
      if (!inbound || inbound.status !== 'held') throw notFound('The message');
      if (inbound.hold_reason === 'unreadable') throw conflict(UNREADABLE_NOT_FILED);
      const reference = caseReferenceInSubject(input.reference);
      const complaint = reference ? await repo.complaintByReference(reference) : undefined;
      if (!complaint)
        throw invalid([{ field: 'reference', message: 'Enter the reference of an existing case, like 26 001 234' }]);
      const thread = await this.ensureThread(repo, complaint, input.audience);
      const parsed = await simpleParser(await this.rawOf(repo, inbound), PARSE_OPTIONS);
      await this.fileOnto(trx, inbound, parsed, thread, inbound.auto_reply_reason, actor);
      return { complaintId: complaint.id };
    });
  }

  async discard(actor: Actor | null, id: string, reason: string): Promise<void> {
    this.assertTriage(actor);
    await this.db.transaction().execute(async (trx) => {
      const repo = this.repo.with(trx);
      const inbound = await repo.lockInbound(id);
      if (!inbound || inbound.status !== 'held') throw notFound('The message');
      const now = this.clock.now();
      await repo.updateInbound(id, {
        status: 'discarded',
        discard_reason: reason,
        decided_by: actor.type === 'user' ? actor.id : null,
        decided_at: now,
      });
      await writeAudit(trx, {
        actor: auditActor(actor),
        action: 'inbound-mail.discarded',
        recordType: 'inbound-message',
        recordId: id,
        requestId: actor.requestId ?? null,
      });
    });
  }

  // Reading -------------------------------------------------------------------------------------

  /**
   * A case's correspondence, oldest first, with every recipient's status. Staff who read cases see
   * both threads; the authority's own users and tokens see the authority's thread of their own cases.
   */
  async caseCorrespondence(
    actor: Actor | null,
    complaintId: string,
  ): Promise<{
    complaint: { id: string; reference: string; authorityId: string; authorityName: string };
    items: ItemView[];
  }> {
    if (!actor) throw forbidden();
    const complaint = await this.repo.complaint(complaintId);
    let audience: Audience | null = null;
    if (actor.authorityId !== null) {
      if (
        !complaint ||
        complaint.authority_id !== actor.authorityId ||
        !(await this.repo.caseTold(complaint.id)) ||
        !can(actor, 'portal:complaints')
      )
        throw notFound('The complaint');
      audience = 'authority';
    } else if (!can(actor, 'complaints:read')) throw forbidden();
    if (!complaint) throw notFound('The complaint');
    const rows = await this.repo.itemsOfComplaint(complaint.id, audience);
    const ids = rows.map((r) => r.id);
    const [deliveries, attachments, authority] = await Promise.all([
      this.repo.deliveriesOfItems(ids),
      this.repo.attachmentsOfItems(ids),
      this.repo.authorityName(complaint.authority_id),
    ]);
    const items = rows.map((row): ItemView => {
      const own = deliveries.filter((d) => d.item_id === row.id);
      const views: DeliveryView[] = own.map((d) => {
        const status = deliveryStatus({
          outboxStatus: d.outbox_status,
          attempts: d.attempts ?? 0,
          bouncedAt: d.bounced_at,
          deferredAt: d.deferred_at,
          openedAt: d.opened_at,
        });
        return {
          id: d.id,
          address: d.address,
          role: d.recipient_role,
          status,
          statusName: DELIVERY_STATUS_NAMES[status],
          smtpResponse: d.smtp_response,
          lastError: d.last_error,
          bounceStatus: d.bounce_status,
          bounceDiagnostic: d.bounce_diagnostic,
          sentAt: d.sent_at,
          bouncedAt: d.bounced_at,
          openedAt: d.opened_at,
          fallback: d.fallback_for !== null,
        };
      });
      const sentTimes = own.map((d) => d.sent_at?.getTime()).filter((t): t is number => t !== undefined);
      return {
        id: row.id,
        direction: row.direction,
        audience: row.audience,
        kind: row.kind as ItemKind,
        kindName: KIND_NAMES[row.kind as ItemKind] ?? row.kind,
        addressees: row.addressees as Addressee[],
        isLetter: row.is_letter,
        subject: row.subject,
        text: row.text_body,
        from: row.from_address,
        sender:
          row.sender_role === null
            ? null
            : [row.sender_name, SENDER_ROLE_NAMES[row.sender_role] ?? row.sender_role].filter((p) => p).join(', '),
        autoReplyReason: row.auto_reply_reason,
        countsAsResponse: row.counts_as_response,
        createdAt: row.created_at,
        sentAt: row.direction === 'outbound' && sentTimes.length > 0 ? new Date(Math.min(...sentTimes)) : null,
        receivedAt: row.direction === 'inbound' ? row.created_at : null,
        deliveries: views,
        attachments: attachments
          .filter((a) => a.item_id === row.id)
          .map((a) => ({
            id: a.id,
            documentId: a.document_id,
            filename: a.filename,
            contentType: a.content_type,
            size: a.size,
            rejectedReason: a.rejected_reason,
          })),
      };
    });
    return {
      complaint: {
        id: complaint.id,
        reference: complaint.reference,
        authorityId: complaint.authority_id,
        authorityName: authority?.name ?? '',
      },
      items,
    };
  }

  /**
   * The case timeline's correspondence: every message sent (to whom, by role, and how its delivery
   * went) and every reply filed (from whom, by the role they held then). Each links to the message in
   * the case's Correspondence tab; the authority sees its own thread's only.
   */
  async timelineEvents(complaintId: string): Promise<TimelineEvent[]> {
    const complaint = await this.repo.complaint(complaintId);
    if (!complaint) return [];
    const [items, authority] = await Promise.all([
      this.repo.itemsOfComplaint(complaintId, null),
      this.repo.authorityName(complaint.authority_id),
    ]);
    const rows = items.filter(
      (r) => r.direction !== 'outbound' || !KINDS_ON_THEIR_OWN_TIMELINE.includes(r.kind as ItemKind),
    );
    const authorityName = authority?.name ?? 'the authority';
    const deliveries = await this.repo.deliveriesOfItems(
      rows.filter((r) => r.direction === 'outbound').map((r) => r.id),
    );
    const href = (itemId: string) => `/staff/complaints/${complaintId}/correspondence#item-${itemId}`;
    const portalHref = (itemId: string, audience: Audience) =>
      audience === 'authority' ? `/portal/complaints/${complaintId}/correspondence#item-${itemId}` : null;
    return rows.map((row): TimelineEvent => {
      const authorityVisible = row.audience === 'authority';
      const kindName = KIND_NAMES[row.kind as ItemKind] ?? row.kind;
      if (row.direction === 'outbound') {
        const statuses = deliveries
          .filter((d) => d.item_id === row.id)
          .map((d) =>
            deliveryStatus({
              outboxStatus: d.outbox_status,
              attempts: d.attempts ?? 0,
              bouncedAt: d.bounced_at,
              deferredAt: d.deferred_at,
              openedAt: d.opened_at,
            }),
          );
        return {
          at: row.created_at,
          kind: 'correspondence',
          label: `${kindName} sent to ${addresseesPhrase(row.addressees, authorityName)}: ${row.subject}`,
          text: deliverySummary(statuses),
          actorRole: 'Ombudsman',
          by: row.created_by === null ? 'System' : null,
          actor: row.created_by === null ? null : { userId: row.created_by, acting: WRITING_PERMISSIONS },
          href: href(row.id),
          portalHref: portalHref(row.id, row.audience),
          authorityVisible,
        };
      }
      const role = row.sender_role;
      const roleName = role === null ? 'Unknown sender' : (SENDER_ROLE_NAMES[role] ?? role);
      return {
        at: row.created_at,
        kind: 'correspondence',
        label: `${row.auto_reply_reason ? 'Automatic reply received' : 'Reply received'}: ${row.subject}`,
        text: row.auto_reply_reason ? `Not counted as a response (${row.auto_reply_reason})` : null,
        actorRole: isAuthoritySender(role) ? `${roleName}, ${authorityName}` : roleName,
        // Staff see the person's name, or the address of a sender the case did not know.
        by: role === null ? row.from_address : isAuthoritySender(role) ? row.sender_name : null,
        href: href(row.id),
        portalHref: portalHref(row.id, row.audience),
        authorityVisible,
      };
    });
  }

  /** What the ombudsman has sent to the actor's authority, newest first. */
  async portalList(actor: Actor | null, query: { cursor?: string | undefined; limit: number }) {
    if (!actor || actor.authorityId === null || !can(actor, 'portal:complaints')) throw forbidden();
    const after = query.cursor ? decodeCursor(query.cursor, portalCursor) : null;
    const rows = await this.repo.portalItems(actor.authorityId, query.limit + 1, after);
    return toPage(
      rows.map((r) => ({ ...r, kindName: KIND_NAMES[r.kind as ItemKind] ?? r.kind })),
      query.limit,
      (r) => [r.created_key, r.id],
    );
  }

  /**
   * One item sent to the actor's authority; opening it records that the actor's own delivery was
   * opened. Items of a case the authority was not told of (closed as invalid or out of jurisdiction)
   * are not found, like any other authority's.
   */
  async portalItem(actor: Actor | null, itemId: string) {
    if (!actor || actor.authorityId === null || !can(actor, 'portal:complaints')) throw forbidden();
    const item = await this.repo.item(itemId);
    const [thread, complaint] = item
      ? await Promise.all([this.repo.thread(item.thread_id), this.repo.complaint(item.complaint_id)])
      : [undefined, undefined];
    if (
      !item ||
      !thread ||
      !complaint ||
      item.authority_id !== actor.authorityId ||
      thread.audience !== 'authority' ||
      item.direction !== 'outbound' ||
      !(await this.repo.caseTold(complaint.id))
    ) {
      throw notFound('The message');
    }
    if (actor.type === 'user') {
      const mine = await this.repo.addressesOfUser(actor.id);
      if (mine.length > 0) {
        await this.db.transaction().execute(async (trx) => {
          const opened = await this.repo.with(trx).markDeliveriesOpened(item.id, mine, this.clock.now());
          for (const d of opened) {
            await writeAudit(trx, {
              actor: auditActor(actor),
              action: 'correspondence.opened',
              recordType: 'correspondence-delivery',
              recordId: d.id,
              authorityId: item.authority_id,
              requestId: actor.requestId ?? null,
            });
          }
        });
      }
    }
    const attachments = await this.repo.attachmentsOfItems([item.id]);
    return {
      id: item.id,
      subject: item.subject,
      text: item.text_body,
      kindName: KIND_NAMES[item.kind as ItemKind] ?? item.kind,
      createdAt: item.created_at,
      reference: complaint.reference,
      complaintId: item.complaint_id,
      attachments: attachments.filter((a) => a.document_id !== null),
    };
  }

  /** The mail an authority's contacts refused most recently (newest first), to help staff put an address right. */
  async recentBounces(actor: Actor | null, authorityId: string, limit = 10) {
    if (!can(actor, 'link-officers:read')) return [];
    const rows = await new BouncesRepository(this.repo.db).recentBounces(authorityId, limit);
    return rows.map((r) => ({
      address: r.address,
      role: r.recipient_role,
      roleName: RECIPIENT_ROLE_NAMES[r.recipient_role],
      bouncedAt: r.bounced_at,
      status: r.bounce_status,
      subject: r.subject,
      complaintId: r.complaint_id,
    }));
  }

  /** Authorities with a link officer whose address bounces, for the staff home page. */
  async bouncingAuthorities(actor: Actor | null, limit = 10) {
    if (!can(actor, 'link-officers:read')) return null;
    return new BouncesRepository(this.repo.db).bouncingAuthorities(limit);
  }
}
