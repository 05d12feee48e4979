import { createRequire } from 'node:module';
import os from 'node:os';
import { Worker } from 'node:worker_threads';
import type { Attachment, ParsedMail } from 'mailparser';
import { replaceUnsafeTextDeep } from '../input.ts';
import { planSetAside, type SetAsidePlan } from './set-aside.ts';

/**
 * Parsing inbound mail off the main thread. A message with a large attachment takes tens of
 * milliseconds of MIME splitting and base64 decoding; done on the event loop it holds up every other
 * connection and the database work of the messages before it. A small pool of worker threads parses
 * with mailparser instead, while the main thread keeps receiving, storing and filing.
 *
 * Large base64 attachments are set aside first and decoded natively (set-aside.ts): mailparser then
 * reads only the small message around them.
 *
 * The raw message goes to the parser and the decoded attachments come back without being copied
 * (their memory is transferred); the raw message stays with the parser, so the caller stores it first.
 */

/**
 * What parsing skips: links and conversions between text and HTML, which nothing here uses, and the
 * MD5 checksum of every attachment (documents are checksummed with SHA-256 when they are stored).
 */
export const PARSE_OPTIONS = {
  skipImageLinks: true,
  skipTextLinks: true,
  skipTextToHtml: true,
  skipHtmlToText: true,
  checksumAlgo: false,
} as const;

export type ParsedAttachment = Pick<Attachment, 'filename' | 'contentType' | 'content' | 'size' | 'related'>;

/** The parts of a parsed message that filing reads; a mailparser `ParsedMail` is one. */
export interface ParsedMessage extends Pick<
  ParsedMail,
  'headers' | 'from' | 'to' | 'subject' | 'messageId' | 'inReplyTo' | 'references' | 'text' | 'html'
> {
  attachments: ParsedAttachment[];
}

/** What can still be read of a message that cannot be parsed whole: its own header section. */
export type MessageHeadings = Partial<
  Pick<ParsedMessage, 'from' | 'to' | 'subject' | 'messageId' | 'inReplyTo' | 'references'>
>;

/**
 * The parser read the message and gave up on it (broken MIME: more parts than it will split, a header
 * section larger than it will hold). The message's own fault: parsing it again gives the same answer,
 * unlike a parser thread that stopped or a pool that is closing (plain errors, worth trying again).
 */
export class UnreadableMessageError extends Error {
  /** A few plain words on why, e.g. "too many MIME parts". */
  readonly reason: string;

  constructor(
    parserMessage: string,
    /** The top header section, read on its own; null when even that could not be read. */
    readonly headings: MessageHeadings | null,
  ) {
    const reason = unreadableReason(parserMessage);
    super(`The message could not be read: ${reason}`);
    this.name = 'UnreadableMessageError';
    this.reason = reason;
  }
}

/** The parser's message as a short reason for staff: its known limits in plain words, else its own text. */
export function unreadableReason(parserMessage: string): string {
  if (/child nodes/i.test(parserMessage)) return 'too many MIME parts';
  if (/header size/i.test(parserMessage)) return 'a header section is too large';
  const text = parserMessage.replace(/\s+/g, ' ').trim();
  if (text === '') return 'the parser gave no reason';
  return text.length > 200 ? `${text.slice(0, 197)}...` : text;
}

export interface MailParserPool {
  /**
   * Parses `raw`. Its memory is handed to the parser: the caller must not read the buffer again
   * (it is empty once handed over). A message the parser gives up on is rejected with an
   * `UnreadableMessageError`; any other rejection is the pool's own trouble.
   */
  parse(raw: Buffer): Promise<ParsedMessage>;
  close(): Promise<void>;
}

/** The worker's side: CommonJS, evaluated as given (so it works from the sources and from the bundle). */
const WORKER_SOURCE = `
'use strict';
const { parentPort, workerData } = require('node:worker_threads');
const { simpleParser } = require(workerData.mailparser);

// An ArrayBuffer can be handed over only when the buffer spans all of it (small buffers share one).
const whole = (b) => b.byteOffset === 0 && b.byteLength === b.buffer.byteLength && b.byteLength > 0;

// The message parsed with its large parts set aside (see set-aside.ts): null when any marker does not
// come back as exactly one attachment, or the small message cannot be read; the caller then parses it whole.
async function parseSetAside(raw, plan) {
  const message = Buffer.from(plan.message.buffer, plan.message.byteOffset, plan.message.byteLength);
  const mail = await simpleParser(message, workerData.options);
  for (const part of plan.parts) {
    const marker = Buffer.from(part.marker.buffer, part.marker.byteOffset, part.marker.byteLength);
    const standIns = mail.attachments.filter((a) => a.content.equals(marker));
    if (standIns.length !== 1) return null;
    const content = Buffer.from(raw.toString('latin1', part.start, part.end), 'base64');
    standIns[0].content = content;
    standIns[0].size = content.length;
  }
  return mail;
}

parentPort.on('message', (job) => {
  const raw = Buffer.from(job.raw.buffer, job.raw.byteOffset, job.raw.byteLength);
  (job.plan ? parseSetAside(raw, job.plan).catch(() => null) : Promise.resolve(null))
    .then((mail) => mail || simpleParser(raw, workerData.options))
    .then(
    (mail) => {
      const transfer = new Set();
      const attachments = mail.attachments.map((a) => {
        if (whole(a.content) && !transfer.has(a.content.buffer)) transfer.add(a.content.buffer);
        return { filename: a.filename, contentType: a.contentType, content: a.content, size: a.size, related: a.related };
      });
      const parsed = {
        headers: mail.headers,
        from: mail.from,
        to: mail.to,
        subject: mail.subject,
        messageId: mail.messageId,
        inReplyTo: mail.inReplyTo,
        references: mail.references,
        text: mail.text,
        html: mail.html,
        attachments,
      };
      parentPort.postMessage({ id: job.id, parsed }, [...transfer]);
    },
    (error) => {
      const reason = String((error && error.message) || error);
      const unreadable = (headings) => parentPort.postMessage({ id: job.id, error: reason, headings });
      const head = headOf(raw);
      if (!head) return unreadable(null);
      simpleParser(head, workerData.options).then(
        (mail) =>
          unreadable({
            from: mail.from,
            to: mail.to,
            subject: mail.subject,
            messageId: mail.messageId,
            inReplyTo: mail.inReplyTo,
            references: mail.references,
          }),
        () => unreadable(null),
      );
    },
  );
});

// The top header section of a message (at most its first 64 KB, cut at a line break), ended with an
// empty body: enough to say who sent a message that cannot be read whole, and what it was about.
const HEAD_LIMIT = 64 * 1024;
function headOf(raw) {
  const top = raw.subarray(0, HEAD_LIMIT);
  const crlf = top.indexOf('\\r\\n\\r\\n');
  const lf = top.indexOf('\\n\\n');
  let end = crlf >= 0 && (lf < 0 || crlf < lf) ? crlf : lf;
  if (end < 0) end = top.lastIndexOf('\\n');
  return end > 0 ? Buffer.concat([top.subarray(0, end), Buffer.from('\\r\\n\\r\\n')]) : null;
}
`;

interface Job {
  id: number;
  raw: Buffer;
  plan: SetAsidePlan | null;
  resolve: (result: ParsedMessage) => void;
  reject: (error: Error) => void;
}

interface Reply {
  id: number;
  parsed?: ParsedMessage;
  error?: string;
  headings?: MessageHeadings | null;
}

const asBuffer = (bytes: Uint8Array): Buffer => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);

/** The buffer's memory, when it can be handed over: the buffer spans all of it (small buffers share one). */
const transferable = (b: Buffer): ArrayBuffer[] =>
  b.buffer instanceof ArrayBuffer && b.byteOffset === 0 && b.byteLength === b.buffer.byteLength ? [b.buffer] : [];

/** The set-aside plan for a message; none if the scan fails (the message is then parsed whole). */
function planFor(raw: Buffer): SetAsidePlan | null {
  try {
    return planSetAside(raw);
  } catch {
    return null;
  }
}

/**
 * One parser thread per core but one (the main thread has its own work), at least two: parsing is
 * most of a message's work, so on two cores one thread would leave the second idle.
 */
export const defaultParserThreads = (): number => Math.max(2, Math.min(4, os.availableParallelism() - 1));

export function startMailParserPool(threads = defaultParserThreads()): MailParserPool {
  const mailparser = createRequire(import.meta.url).resolve('mailparser');
  const queue: Job[] = [];
  const idle: Worker[] = [];
  const busy = new Map<Worker, Job>();
  const workers = new Set<Worker>();
  let nextId = 1;
  let closed = false;

  const spawn = (): void => {
    const worker = new Worker(WORKER_SOURCE, {
      eval: true,
      execArgv: [],
      workerData: { mailparser, options: PARSE_OPTIONS },
    });
    worker.unref();
    workers.add(worker);
    worker.on('message', (reply: Reply) => {
      const job = busy.get(worker);
      busy.delete(worker);
      idle.push(worker);
      if (job && job.id === reply.id) {
        if (reply.error !== undefined) {
          job.reject(new UnreadableMessageError(reply.error, replaceUnsafeTextDeep(reply.headings ?? null)));
        } else if (!reply.parsed) {
          job.reject(new Error('The mail parser returned no result'));
        } else {
          const parsed = reply.parsed;
          for (const a of parsed.attachments) a.content = asBuffer(a.content);
          // A message is never refused for its characters: what cannot be stored becomes U+FFFD.
          job.resolve(replaceUnsafeTextDeep(parsed));
        }
      }
      next();
    });
    // A parser that fails or stops loses only the message it was parsing (whose sender is told to try
    // again); another takes its place.
    const gone = (error: Error) => {
      if (!workers.delete(worker)) return;
      const job = busy.get(worker);
      busy.delete(worker);
      const at = idle.indexOf(worker);
      if (at >= 0) idle.splice(at, 1);
      job?.reject(error);
      if (!closed) {
        spawn();
        next();
      }
    };
    worker.on('error', gone);
    worker.on('exit', (code) => gone(new Error(`The mail parser stopped (exit code ${code})`)));
    idle.push(worker);
  };

  const next = (): void => {
    while (queue.length > 0 && idle.length > 0) {
      const worker = idle.pop();
      const job = queue.shift();
      if (!worker || !job) return;
      busy.set(worker, job);
      worker.postMessage({ id: job.id, raw: job.raw, plan: job.plan }, transferable(job.raw));
    }
  };

  for (let i = 0; i < Math.max(1, threads); i++) spawn();

  return {
    parse(raw) {
      if (closed) return Promise.reject(new Error('The mail parser has been closed'));
      return new Promise<ParsedMessage>((resolve, reject) => {
        queue.push({ id: nextId++, raw, plan: planFor(raw), resolve, reject });
        next();
      });
    },
    async close() {
      closed = true;
      for (const job of queue.splice(0)) job.reject(new Error('The mail parser has been closed'));
      await Promise.all([...workers].map((w) => w.terminate()));
    },
  };
}
