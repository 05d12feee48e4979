import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import {
  Kysely,
  PostgresAdapter,
  PostgresIntrospector,
  PostgresQueryCompiler,
  type CompiledQuery,
  type DatabaseConnection,
  type Driver,
  type QueryResult,
} from 'kysely';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { systemClock } from '../clock.ts';
import type { Database } from '../db/schema.ts';
import { createLogger } from '../logger.ts';
import { startMailGateway, type MailGateway } from './inbound.ts';
import { RawMailStore } from './raw-store.ts';

/**
 * The gateway over a real SMTP connection, with a database that records what is inserted: what it
 * stores of each message (the bytes the sender meant, dots unstuffed, however the bytes arrive),
 * when it answers, and what it refuses. The gateway with PostgreSQL is tested in
 * test/integration/mail-in.test.ts.
 */

interface Insert {
  table: string;
  values: Record<string, unknown>;
  id: string;
}

/** A database that keeps each insert's values and answers it with a new id. */
class RecordingDatabase {
  inserts: Insert[] = [];
  /** While set, inserts wait for it. */
  hold: Promise<void> | null = null;
  failing = false;

  async run(query: CompiledQuery): Promise<QueryResult<unknown>> {
    if (this.hold) await this.hold;
    if (this.failing) throw new Error('the database is down');
    const insert = /^insert into "(\w+)" \(([^)]*)\) values \(([^)]*)\)/.exec(query.sql);
    if (!insert) return { rows: [] };
    const columns = (insert[2] ?? '').split(', ').map((c) => c.replaceAll('"', ''));
    const placeholders = (insert[3] ?? '').split(', ');
    const values: Record<string, unknown> = {};
    columns.forEach((column, i) => {
      const at = /^\$(\d+)$/.exec(placeholders[i] ?? '');
      values[column] = at ? query.parameters[Number(at[1]) - 1] : placeholders[i];
    });
    const id = `00000000-0000-4000-8000-${String(this.inserts.length + 1).padStart(12, '0')}`;
    this.inserts.push({ table: insert[1] ?? '', values, id });
    return { rows: [{ id }] };
  }

  messages(): Insert[] {
    return this.inserts.filter((i) => i.table === 'inbound_messages');
  }

  kysely(): Kysely<Database> {
    const connection: DatabaseConnection = {
      executeQuery: <R>(query: CompiledQuery) => this.run(query) as Promise<QueryResult<R>>,
      // eslint-disable-next-line require-yield -- never streamed
      streamQuery: async function* () {
        throw new Error('not streamed');
      },
    };
    const driver: Driver = {
      init: async () => undefined,
      acquireConnection: async () => connection,
      beginTransaction: async () => undefined,
      commitTransaction: async () => undefined,
      rollbackTransaction: async () => undefined,
      releaseConnection: async () => undefined,
      destroy: async () => undefined,
    };
    return new Kysely<Database>({
      dialect: {
        createAdapter: () => new PostgresAdapter(),
        createDriver: () => driver,
        createIntrospector: (db) => new PostgresIntrospector(db),
        createQueryCompiler: () => new PostgresQueryCompiler(),
      },
    });
  }
}

/** An SMTP client that writes exactly the pieces it is given, each left to be read before the next. */
class SmtpClient {
  private buffered = '';
  private replies: string[] = [];
  private waiting: ((reply: string) => void) | null = null;

  private constructor(private readonly socket: net.Socket) {
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => {
      this.buffered += chunk.toString('latin1');
      let end: number;
      while ((end = this.buffered.indexOf('\r\n')) >= 0) {
        const line = this.buffered.slice(0, end);
        this.buffered = this.buffered.slice(end + 2);
        if (line[3] === '-') continue; // a reply's lines but its last
        this.replies.push(line);
      }
      if (this.waiting && this.replies.length > 0) {
        const resolve = this.waiting;
        this.waiting = null;
        resolve(this.replies.shift() ?? '');
      }
    });
  }

  static async open(port: number): Promise<SmtpClient> {
    const socket = net.connect(port, '127.0.0.1');
    await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
    const client = new SmtpClient(socket);
    expect(await client.reply()).toMatch(/^220 /);
    expect(await client.command('EHLO sender.example')).toMatch(/^250 /);
    return client;
  }

  /** The next reply (its last line). */
  reply(): Promise<string> {
    const next = this.replies.shift();
    if (next !== undefined) return Promise.resolve(next);
    return new Promise((resolve) => (this.waiting = resolve));
  }

  /** Whether a reply has come that nobody has read yet. */
  hasReply(): boolean {
    return this.replies.length > 0;
  }

  async write(pieces: Buffer[]): Promise<void> {
    for (const piece of pieces) {
      await new Promise<void>((resolve, reject) => this.socket.write(piece, (e) => (e ? reject(e) : resolve())));
      // The gateway runs in this process: it reads what has arrived before this goes on.
      await new Promise((resolve) => setImmediate(resolve));
    }
  }

  async command(line: string): Promise<string> {
    await this.write([Buffer.from(`${line}\r\n`, 'latin1')]);
    return this.reply();
  }

  /** MAIL FROM, RCPT TO and DATA, up to the server's 354. */
  async startMessage(to = 'case-1@liaison.test'): Promise<void> {
    expect(await this.command('MAIL FROM:<officer@council.example>')).toMatch(/^250 /);
    expect(await this.command(`RCPT TO:<${to}>`)).toMatch(/^250 /);
    expect(await this.command('DATA')).toMatch(/^354 /);
  }

  close(): void {
    this.socket.end('QUIT\r\n');
  }
}

/** A message as SMTP carries it: a leading dot doubled, then CRLF.CRLF (the CRLF stays the message's). */
const stuffed = (message: string) => `${message.replace(/^\./gm, '..')}\r\n.\r\n`;

/** `bytes` in pieces of the given sizes, in turn. */
function split(bytes: Buffer, sizes: number[]): Buffer[] {
  const pieces: Buffer[] = [];
  for (let at = 0, i = 0; at < bytes.length; i++) {
    const size = sizes[i % sizes.length] ?? 1;
    pieces.push(bytes.subarray(at, at + size));
    at += size;
  }
  return pieces;
}

/** Base64 lines, none led by a dot, over several socket reads. The bytes are fixed, so a failure repeats. */
const BASE64_BODY = Buffer.from(Array.from({ length: 9 * 1024 }, (_, i) => (i * 31 + 7) % 256))
  .toString('base64')
  .replace(/.{76}/g, '$&\r\n');

const MESSAGES = [
  'Subject: plain\r\n\r\nHello',
  '.starts with a dot\r\n\r\nbody',
  'Subject: dots\r\n\r\n.\r\n..\r\n. not the end\r\n.end',
  `Subject: long\r\n\r\n${BASE64_BODY}\r\n.last line`,
  `Subject: long, dots among it\r\n\r\n${BASE64_BODY.replace(/\r\n/g, '\r\n.')}\r\n.`,
  'Subject: a lone dot line at the start of the body\r\n\r\n.',
];

const MAX_BYTES = 64 * 1024;
const database = new RecordingDatabase();
let rawMail: RawMailStore;
let gateway: MailGateway;

beforeAll(async () => {
  rawMail = new RawMailStore(fs.mkdtempSync(path.join(os.tmpdir(), 'liaison-inbound-')));
  gateway = await startMailGateway({
    host: '127.0.0.1',
    port: 0,
    domain: 'liaison.test',
    maxMessageBytes: MAX_BYTES,
    parserThreads: 1,
    db: database.kysely(),
    rawMail,
    clock: systemClock,
    logger: createLogger('silent'),
  });
});
afterAll(async () => {
  await gateway.close();
  fs.rmSync(rawMail.dir, { recursive: true, force: true });
});
beforeEach(() => {
  database.inserts = [];
  database.hold = null;
  database.failing = false;
});

/** Every source file in the mail folder. */
const storedFiles = () =>
  fs
    .readdirSync(rawMail.dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.eml'))
    .map((f) => f.split(path.sep).join('/'))
    .sort();

/** The stored message a 250 reply names: its row's values and its source. */
async function storedBy(reply: string): Promise<{ values: Record<string, unknown>; source: string }> {
  expect(reply).toMatch(/^250 2\.0\.0 Stored as /);
  const id = reply.slice(reply.lastIndexOf(' ') + 1);
  const rows = database.messages().filter((m) => m.id === id);
  expect(rows).toHaveLength(1);
  const values = rows[0]?.values ?? {};
  return { values, source: (await rawMail.read(String(values.raw_key))).toString('latin1') };
}

describe('the inbound mail gateway over SMTP', () => {
  it(
    'stores each message as the sender wrote it, dots unstuffed, however its bytes arrive, and reads the next command',
    { timeout: 60_000 },
    async () => {
      const client = await SmtpClient.open(gateway.port);
      for (const message of MESSAGES) {
        const data = Buffer.from(`${stuffed(message)}RSET\r\n`, 'latin1');
        for (const sizes of [[data.length], [1], [2, 3], [5], [4096], [4096, 7], [1000, 1, 2, 3, 4]]) {
          await client.startMessage();
          await client.write(split(data, sizes));
          const stored = await storedBy(await client.reply());
          expect(stored.source, `${message.slice(0, 30)} in pieces of ${sizes.join(', ')}`).toBe(`${message}\r\n`);
          expect(stored.values.raw_size).toBe(Buffer.byteLength(`${message}\r\n`, 'latin1'));
          expect(await client.reply()).toMatch(/^250 /); // RSET
        }
      }
      // The end of the message at every place a piece can end: what follows it is a command.
      const message = 'Subject: x\r\n\r\nbody\r\n..\r\nend';
      const data = Buffer.from(`${stuffed(message)}RSET\r\n`, 'latin1');
      for (let cut = 1; cut < data.length; cut++) {
        await client.startMessage();
        await client.write([data.subarray(0, cut), data.subarray(cut)]);
        expect((await storedBy(await client.reply())).source, `cut at ${cut}`).toBe(`${message}\r\n`);
        expect(await client.reply()).toMatch(/^250 /);
      }
      client.close();
      expect(database.messages()).toHaveLength(MESSAGES.length * 7 + data.length - 1);
      expect(storedFiles()).toEqual(
        database
          .messages()
          .map((m) => String(m.values.raw_key))
          .sort(),
      );
    },
  );

  it('answers only once the message is stored, and stores it once', async () => {
    let release: () => void = () => undefined;
    database.hold = new Promise<void>((resolve) => (release = resolve));
    const before = storedFiles();
    const client = await SmtpClient.open(gateway.port);
    await client.startMessage();
    await client.write([Buffer.from(stuffed('Subject: held\r\n\r\nWaiting for the database'), 'latin1')]);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(client.hasReply()).toBe(false);
    expect(database.messages()).toEqual([]);
    database.hold = null;
    release();
    const stored = await storedBy(await client.reply());
    expect(stored.source).toBe('Subject: held\r\n\r\nWaiting for the database\r\n');
    expect(database.messages()).toHaveLength(1);
    expect(storedFiles()).toEqual([...before, String(stored.values.raw_key)].sort());
    client.close();
  });

  it('refuses a message over the size limit with 552, storing nothing, and takes the next', async () => {
    const client = await SmtpClient.open(gateway.port);
    const line = `${'x'.repeat(998)}\r\n`;
    // Exactly the limit (the CRLF before the final dot included) is accepted.
    const atLimit = `Subject: at the limit\r\n\r\n${line.repeat(64)}`;
    const padded = atLimit + 'y'.repeat(MAX_BYTES - atLimit.length - 2);
    expect(Buffer.byteLength(`${padded}\r\n`)).toBe(MAX_BYTES);
    await client.startMessage();
    await client.write(split(Buffer.from(stuffed(padded), 'latin1'), [4096]));
    expect((await storedBy(await client.reply())).source).toBe(`${padded}\r\n`);

    const before = storedFiles();
    for (const extra of [1, MAX_BYTES]) {
      await client.startMessage();
      await client.write(split(Buffer.from(stuffed(padded + 'z'.repeat(extra)), 'latin1'), [4096]));
      expect(await client.reply()).toBe(`552 5.3.4 Message too big: the limit is ${MAX_BYTES} bytes`);
    }
    expect(database.messages()).toHaveLength(1);
    expect(storedFiles()).toEqual(before);

    await client.startMessage();
    await client.write([Buffer.from(stuffed('Subject: next\r\n\r\nSmall'), 'latin1')]);
    expect((await storedBy(await client.reply())).source).toBe('Subject: next\r\n\r\nSmall\r\n');
    client.close();
  });

  it('asks the sender to try again (451) when the message cannot be stored, keeping nothing', async () => {
    database.failing = true;
    const before = storedFiles();
    const client = await SmtpClient.open(gateway.port);
    await client.startMessage();
    await client.write([Buffer.from(stuffed('Subject: lost\r\n\r\nNot kept'), 'latin1')]);
    expect(await client.reply()).toBe('451 4.3.0 Could not store the message: try again later');
    expect(storedFiles()).toEqual(before);
    client.close();
  });

  it('refuses recipients at other domains with 550', async () => {
    const client = await SmtpClient.open(gateway.port);
    expect(await client.command('MAIL FROM:<a@example.test>')).toMatch(/^250 /);
    expect(await client.command('RCPT TO:<someone@elsewhere.example>')).toMatch(/^550 /);
    client.close();
  });
});
