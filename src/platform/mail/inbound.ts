import { createHash } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { Insertable, Kysely } from 'kysely';
import type { AddressObject } from 'mailparser';
import { SMTPServer, type SMTPServerAddress, type SMTPServerDataStream, type SMTPServerSession } from 'smtp-server';
import { SYSTEM_ACTOR, writeAudit } from '../audit/audit.ts';
import type { Clock } from '../clock.ts';
import type { Database } from '../db/schema.ts';
import { replaceUnsafeText } from '../input.ts';
import type { Logger } from '../logger.ts';
import { startMailParserPool, UnreadableMessageError, type MessageHeadings, type ParsedMessage } from './parse.ts';
import { InboundMailRepository } from './inbound.repository.ts';
import './inbound.tables.ts';
import type { RawMailStore } from './raw-store.ts';

export { PARSE_OPTIONS } from './parse.ts';

/**
 * The inbound mail gateway (the `mail-in` role): an SMTP server that accepts mail for addresses at
 * our mail domain, keeps every message whole (its source in the mail folder, what it says in
 * `inbound_messages`) and parses it. The sender is told
 * "accepted" only after the message is stored; if storing fails it is told to try again later, so
 * nothing accepted is ever lost.
 *
 * A message received whole that the parser cannot read (broken MIME) is no passing trouble: sent
 * again it would fail again. It is accepted, its source kept, and it is held for a person in the
 * holding pen (`hold_reason` `unreadable`, with the reason) without being filed or answered.
 *
 * A message is stored once. A delivery cut off after the message was stored but before the sender
 * heard "250" is sent again, byte for byte: a message with the Message-ID and the SHA-256 of a
 * stored one is that message, so it is acknowledged with the first one's id and neither stored,
 * filed nor held again (a unique index decides, so two copies arriving at once store one). A message
 * without a Message-ID is stored each time it comes: nothing tells a copy from a new message.
 */

/** The holding pen's reason for a message the parser could not read. */
export const UNREADABLE_HOLD_REASON = 'unreadable';

export const DEFAULT_MAX_MESSAGE_BYTES = 25 * 1024 * 1024;

export interface MailGatewayOptions {
  host: string;
  port: number;
  /** Only recipients `@domain` are accepted. */
  domain: string;
  maxMessageBytes?: number;
  /** Threads parsing messages beside the main one (default: one per core but one, at least two). */
  parserThreads?: number;
  db: Kysely<Database>;
  /** Where each message's source is kept. */
  rawMail: RawMailStore;
  clock: Clock;
  logger: Logger;
  /**
   * Called with each stored message before the sender is answered (e.g. to file it on its case). If
   * it fails the message stays stored as `unfiled` for a later sweep; the sender still hears "accepted".
   * Not called for a message that could not be read: that one is held as it is stored.
   */
  onStored?: (id: string, parsed: ParsedMessage) => Promise<unknown>;
}

export interface MailGateway {
  host: string;
  port: number;
  close(): Promise<void>;
}

/** A message's row: `again` when it was stored already by an earlier delivery. */
interface Stored {
  id: string;
  again: boolean;
}

class SmtpError extends Error {
  constructor(
    message: string,
    readonly responseCode: number,
  ) {
    super(message);
  }
}

const addressesOf = (value: AddressObject | AddressObject[] | undefined): string | null => {
  if (!value) return null;
  const list = Array.isArray(value) ? value : [value];
  const text = list.map((a) => a.text).join(', ');
  return text === '' ? null : text;
};

export function acceptsRecipient(address: string, domain: string): boolean {
  const at = address.lastIndexOf('@');
  return at > 0 && address.slice(at + 1).toLowerCase() === domain.toLowerCase();
}

export async function startMailGateway(options: MailGatewayOptions): Promise<MailGateway> {
  const maxBytes = options.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES;
  const { logger } = options;
  const parser = startMailParserPool(options.parserThreads);
  const inbound = new InboundMailRepository(options.db);

  /** Stores a message (or finds it stored already) and returns its id. */
  const store = async (received: Buffer, session: SMTPServerSession): Promise<Stored> => {
    const receivedAt = options.clock.now();
    const size = received.length;
    const sha256 = createHash('sha256').update(received).digest('hex');
    const key = options.rawMail.newKey(receivedAt);
    let stored: Stored;
    let parsed: ParsedMessage;
    try {
      await options.rawMail.write(key, received);
      try {
        parsed = await parser.parse(received); // `received` now belongs to the parser
      } catch (error) {
        if (!(error instanceof UnreadableMessageError)) throw error;
        stored = await holdUnreadable(key, size, sha256, receivedAt, session, error);
        if (stored.again) await options.rawMail.remove(key);
        else
          logger.warn(
            { inboundId: stored.id, bytes: size, reason: error.reason },
            'inbound mail could not be read; held',
          );
        return stored;
      }
      stored = await insert(key, size, sha256, receivedAt, session, parsed, {
        text_body: parsed.text ?? null,
        html_body: typeof parsed.html === 'string' ? parsed.html : null,
      });
      if (stored.again) await options.rawMail.remove(key);
    } catch (error) {
      // Not accepted (the sender will try again), so nothing is kept.
      await options.rawMail.remove(key).catch(() => undefined);
      throw error;
    }
    if (!stored.again) await file(stored.id, parsed);
    return stored;
  };

  const file = async (id: string, parsed: ParsedMessage): Promise<void> => {
    if (options.onStored) {
      try {
        await options.onStored(id, parsed);
      } catch (error) {
        logger.error({ err: error, inboundId: id }, 'inbound mail stored but not filed; it will be filed later');
      }
    }
  };

  /** Stores an unreadable message straight into the holding pen: never filed, never answered. */
  const holdUnreadable = (
    rawKey: string,
    rawSize: number,
    sha256: string,
    receivedAt: Date,
    session: SMTPServerSession,
    error: UnreadableMessageError,
  ): Promise<Stored> =>
    options.db.transaction().execute(async (trx) => {
      const stored = await insert(
        rawKey,
        rawSize,
        sha256,
        receivedAt,
        session,
        error.headings ?? {},
        {
          status: 'held',
          hold_reason: UNREADABLE_HOLD_REASON,
          unreadable_reason: error.reason,
          processed_at: receivedAt,
        },
        new InboundMailRepository(trx),
      );
      if (stored.again) return stored;
      await writeAudit(trx, {
        actor: SYSTEM_ACTOR,
        action: 'inbound-mail.held',
        recordType: 'inbound-message',
        recordId: stored.id,
      });
      return stored;
    });

  /**
   * Inserts a message's row, unless a row with its Message-ID and hash is there already: then that
   * row's id, `again`.
   */
  const insert = async (
    rawKey: string,
    rawSize: number,
    sha256: string,
    receivedAt: Date,
    session: SMTPServerSession,
    headings: MessageHeadings,
    rest: Partial<Omit<Insertable<Database['inbound_messages']>, 'message_id' | 'content_sha256'>>,
    repository: InboundMailRepository = inbound,
  ): Promise<Stored> => {
    const references = headings.references === undefined ? [] : [headings.references].flat();
    const messageId = headings.messageId ?? null;
    return repository.insertOnce({
      received_at: receivedAt,
      envelope_from: session.envelope.mailFrom ? replaceUnsafeText(session.envelope.mailFrom.address) : null,
      envelope_to: session.envelope.rcptTo.map((r) => replaceUnsafeText(r.address)),
      from_address: addressesOf(headings.from),
      to_addresses: addressesOf(headings.to),
      subject: headings.subject ?? null,
      message_id: messageId,
      in_reply_to: headings.inReplyTo ?? null,
      message_references: references,
      raw_size: rawSize,
      raw_key: rawKey,
      content_sha256: sha256,
      ...rest,
    });
  };

  const server = new SMTPServer({
    name: options.domain,
    banner: 'Liaison mail gateway',
    size: maxBytes,
    authOptional: true,
    disabledCommands: ['AUTH', 'STARTTLS'],
    logger: false,
    onRcptTo(address: SMTPServerAddress, _session, callback) {
      if (acceptsRecipient(address.address, options.domain)) return callback();
      return callback(new SmtpError(`5.1.1 <${address.address}>: no such mailbox here`, 550));
    },
    // smtp-server hands over the message with its dots unstuffed, in the pieces its reader cut it
    // into; they are kept as they come (no copy) and joined once, into the buffer that is written to
    // the mail folder and then handed to a parser thread. Past the limit nothing more is kept, but
    // the stream is still read to its end, so that the sender hears 552 and the session goes on.
    onData(stream: SMTPServerDataStream, session, callback) {
      const chunks: Buffer[] = [];
      let size = 0;
      stream.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size <= maxBytes) chunks.push(chunk);
        else chunks.length = 0;
      });
      stream.on('end', () => {
        if (stream.sizeExceeded || size > maxBytes) {
          callback(new SmtpError(`5.3.4 Message too big: the limit is ${maxBytes} bytes`, 552));
          return;
        }
        store(Buffer.concat(chunks, size), session).then(
          ({ id, again }) => {
            if (again) logger.info({ inboundId: id, bytes: size }, 'inbound mail sent again; stored already');
            else logger.info({ inboundId: id, bytes: size }, 'inbound mail stored');
            callback(null, `2.0.0 Stored as ${id}`);
          },
          (error: unknown) => {
            logger.error({ err: error }, 'inbound mail could not be stored');
            callback(new SmtpError('4.3.0 Could not store the message: try again later', 451));
          },
        );
      });
      stream.on('error', (error) => {
        logger.warn({ err: error }, 'inbound mail stream failed');
      });
    },
  });
  server.on('error', (error) => logger.error({ err: error }, 'mail gateway error'));

  try {
    await new Promise<void>((resolve, reject) => {
      server.server.once('error', reject);
      server.listen(options.port, options.host, () => {
        server.server.off('error', reject);
        resolve();
      });
    });
  } catch (error) {
    await parser.close();
    throw error;
  }
  const address = server.server.address() as AddressInfo;
  return {
    host: options.host,
    port: address.port,
    // Messages being received are finished (parsed, stored, filed) before the parsers stop.
    close: async () => {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await parser.close();
    },
  };
}
