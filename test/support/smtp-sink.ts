import type { AddressInfo } from 'node:net';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';

/**
 * A real SMTP server on 127.0.0.1 and a spare port that keeps every message it accepts, parsed.
 * Point SMTP_URL at `sink.url`. `rejectNext(n, code)` makes it refuse the next n messages, as a
 * relay that is down or refusing would; `refuseRecipient(address)` refuses one address at RCPT TO.
 */
export interface ReceivedMail {
  envelopeFrom: string | null;
  envelopeTo: string[];
  raw: Buffer;
  parsed: ParsedMail;
}

export interface SmtpSink {
  url: string;
  port: number;
  messages: ReceivedMail[];
  /** Refuse the next `count` messages at the end of DATA with this reply code (default 451, try later). */
  rejectNext(count: number, code?: number): void;
  /** Refuse this recipient address for good at RCPT TO, as a server with no such mailbox does (550 5.1.1). */
  refuseRecipient(address: string): void;
  /** Resolves once at least `count` messages have arrived (or rejects after `timeoutMs`). */
  waitFor(count: number, timeoutMs?: number): Promise<ReceivedMail[]>;
  close(): Promise<void>;
}

export async function startSmtpSink(): Promise<SmtpSink> {
  const messages: ReceivedMail[] = [];
  const waiters: { count: number; resolve: () => void }[] = [];
  let rejecting = 0;
  let rejectCode = 451;
  const refused = new Set<string>();

  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['AUTH', 'STARTTLS'],
    logger: false,
    onRcptTo(address, _session, callback) {
      if (!refused.has(address.address.toLowerCase())) return callback();
      const error = new Error('5.1.1 No such mailbox here') as Error & { responseCode: number };
      error.responseCode = 550;
      callback(error);
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        if (rejecting > 0) {
          rejecting--;
          const error = new Error(rejectCode >= 500 ? 'Refused by the test relay' : 'Try again later') as Error & {
            responseCode: number;
          };
          error.responseCode = rejectCode;
          callback(error);
          return;
        }
        const raw = Buffer.concat(chunks);
        simpleParser(raw).then(
          (parsed) => {
            messages.push({
              envelopeFrom: session.envelope.mailFrom ? session.envelope.mailFrom.address : null,
              envelopeTo: session.envelope.rcptTo.map((r) => r.address),
              raw,
              parsed,
            });
            for (const w of waiters.filter((w) => messages.length >= w.count)) w.resolve();
            callback(null, `Accepted as message ${messages.length}`);
          },
          (error: unknown) => callback(error as Error),
        );
      });
    },
  });

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const port = (server.server.address() as AddressInfo).port;

  return {
    url: `smtp://127.0.0.1:${port}`,
    port,
    messages,
    refuseRecipient(address) {
      refused.add(address.toLowerCase());
    },
    rejectNext(count, code = 451) {
      rejecting = count;
      rejectCode = code;
    },
    waitFor(count, timeoutMs = 15_000) {
      if (messages.length >= count) return Promise.resolve(messages);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`the SMTP sink got ${messages.length} of ${count} messages`)),
          timeoutMs,
        );
        waiters.push({
          count,
          resolve: () => {
            clearTimeout(timer);
            resolve(messages);
          },
        });
      });
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
