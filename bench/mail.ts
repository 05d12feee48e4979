import { execFileSync, spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import nodemailer from 'nodemailer';
import pg from 'pg';
import net from 'node:net';
import { loadConfig } from '../src/config.ts';
import { createServices } from '../src/composition.ts';
import { systemClock } from '../src/platform/clock.ts';
import { openDatabase } from '../src/platform/db/database.ts';
import { migrate } from '../src/platform/db/migrate.ts';
import { createLogger } from '../src/platform/logger.ts';
import { outboxRepository } from '../src/platform/mail/outbox.repository.ts';
import { outboxRow } from '../src/platform/mail/outbox.ts';
import { countingSink, cpuOf, freePort, postgresCpu, sendMailDir, startServer, stopServer, ROOT } from './support.ts';

/**
 * Mail figures: `node --import tsx bench/mail.ts`, on PostgreSQL (BENCH_DATABASE_URL, whose
 * `liaison_bench_mail` database is dropped and recreated, or a throwaway server).
 *
 * 1. Outbound: BENCH_MAIL_OUT (2,000) messages to 40 destination domains, sent by one worker
 *    process to a loopback SMTP sink; messages per second from the worker's start to the last row sent.
 * 2. Crash: as many again; the worker is killed (SIGKILL) once a quarter have reached the sink, then
 *    started again. Counts what the sink received: every Message-ID once, none twice.
 * 3. Inbound: BENCH_MAIL_IN (300) replies, each with a distinct 1 MB PDF attachment, sent over four
 *    SMTP connections to the gateway, parsed, filed on their case and stored as case documents.
 */

const OUT = Number(process.env.BENCH_MAIL_OUT ?? 2000);
const IN = Number(process.env.BENCH_MAIL_IN ?? 300);
const DB_NAME = 'liaison_bench_mail';
const log = (line: string) => console.log(line);
const round = (n: number) => Math.round(n * 10) / 10;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function postgresServer(): { url: string; stop: () => void } {
  const given = process.env.BENCH_DATABASE_URL;
  if (given) return { url: given, stop: () => undefined };
  const env = { ...process.env, PG_TEST_DIR: path.join(os.tmpdir(), 'liaison-pg-bench') };
  const script = path.join(ROOT, 'scripts/pg-test-server.sh');
  const out = execFileSync('bash', [script, 'start'], { env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  return {
    url: out.trim().replace(/^export TEST_DATABASE_URL=/, ''),
    stop: () => execFileSync('bash', [script, 'stop'], { env, stdio: 'ignore' }),
  };
}

const withDatabase = (url: string, name: string) => {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
};

/** Resolves when an SMTP server on the port sends its greeting. */
function smtpGreets(port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('data', (chunk: Buffer) => {
      socket.end('QUIT\r\n');
      if (chunk.toString('latin1').startsWith('220')) resolve();
      else reject(new Error(`unexpected greeting: ${chunk.toString('latin1')}`));
    });
    socket.once('error', reject);
  });
}

function startWorker(dbUrl: string, smtpUrl: string) {
  return spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'bench/mail-worker.ts')], {
    cwd: ROOT,
    env: { ...process.env, BENCH_MAIL_DB_URL: dbUrl, BENCH_SMTP_URL: smtpUrl, BENCH_LEASE_SECONDS: '2' },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
}

const exited = (child: ReturnType<typeof spawn>) =>
  new Promise<void>((resolve) =>
    child.exitCode !== null || child.signalCode !== null ? resolve() : child.once('exit', () => resolve()),
  );

async function main(): Promise<void> {
  const server = postgresServer();
  const admin = new pg.Client({ connectionString: withDatabase(server.url, 'postgres') });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${DB_NAME} WITH (FORCE)`);
  await admin.query(`CREATE DATABASE ${DB_NAME}`);
  await admin.end();
  const dbUrl = withDatabase(server.url, DB_NAME);
  const db = await openDatabase({ kind: 'postgres', url: dbUrl, poolSize: 8 });
  await migrate(db);
  const sink = await countingSink();
  const results: Record<string, unknown> = {
    date: new Date().toISOString(),
    machine: `${os.cpus().length} CPUs, Node ${process.version}`,
  };

  const enqueue = async (count: number, tag: string) => {
    for (let i = 0; i < count; i += 500) {
      await db.kysely.transaction().execute(async (trx) => {
        for (let j = i; j < Math.min(count, i + 500); j++) {
          await outboxRepository.insertMessage(
            trx,
            outboxRow({
              kind: 'bench',
              to: `officer${j}@council${j % 40}.example`,
              subject: `Enquiry ${tag} ${j}`,
              text: `Dear link officer,\n\nMessage ${j} of the ${tag} run.\n`,
              html: `<p>Dear link officer,</p><p>Message ${j} of the ${tag} run.</p>`,
              idempotencyKey: `bench-${tag}-${j}`,
            }),
          );
        }
      });
    }
  };
  const count = async (statuses: string[]) =>
    (
      await db.kysely
        .selectFrom('outbox_messages')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('status', 'in', statuses as ['sent'])
        .executeTakeFirstOrThrow()
    ).n;

  try {
    // 1. Outbound throughput, one worker.
    await enqueue(OUT, 'throughput');
    const started = performance.now();
    const worker = startWorker(dbUrl, sink.url);
    await exited(worker);
    const seconds = (performance.now() - started) / 1000;
    const sent = await count(['sent']);
    results.outbound = {
      messages: sent,
      seconds: round(seconds),
      perSecond: round(sent / seconds),
      received: sink.received(),
    };
    log(
      `Outbound: ${sent} messages in ${round(seconds)} s = ${round(sent / seconds)} messages/s (one worker, including its start-up)`,
    );

    // 2. Crash mid-batch and restart.
    const before = sink.received();
    await enqueue(OUT, 'crash');
    const victim = startWorker(dbUrl, sink.url);
    while (sink.received() - before < OUT / 4) await sleep(5);
    victim.kill('SIGKILL');
    await exited(victim);
    const atKill = sink.received() - before;
    await sleep(2500); // the dead worker's lease ends
    await exited(startWorker(dbUrl, sink.url));
    const crashIds = [...sink.ids.entries()];
    const duplicates = crashIds.filter(([, n]) => n > 1).length;
    const unknown = await count(['unknown']);
    const crashSent = (await count(['sent'])) - sent;
    const crashReceived = sink.received() - before;
    results.crash = {
      messages: OUT,
      receivedAtKill: atKill,
      received: crashReceived,
      sentRows: crashSent,
      unknownRows: unknown,
      duplicates,
    };
    log(
      `Crash: killed after ${atKill} of ${OUT}; after restart the sink has ${crashReceived} messages, ` +
        `${duplicates} received twice; rows sent ${crashSent}, unknown ${unknown} (sent + unknown = ${crashSent + unknown})`,
    );
    if (duplicates > 0 || crashSent + unknown !== OUT) log('  FAILED: a message was sent twice or lost track of');

    // 3. Inbound: replies with 1 MB attachments, parsed and filed.
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'liaison-bench-mail-'));
    const config = loadConfig({
      DATABASE_URL: dbUrl,
      MAIL_DOMAIN: 'liaison.bench',
      DATA_DIR: dataDir,
      LOG_LEVEL: 'silent',
      DOCUMENT_MAX_BYTES: String(5 * 1024 * 1024),
    });
    const services = createServices({ config, db, clock: systemClock, logger: createLogger('silent') });
    const authority = await db.kysely
      .insertInto('authorities')
      .values({ name: 'Bench Council', kind: 'district' })
      .returning('id')
      .executeTakeFirstOrThrow();
    await db.kysely
      .insertInto('link_officers')
      .values({
        authority_id: authority.id,
        slot: 1,
        title: 'Ms',
        forename: 'Bench',
        surname: 'Officer',
        job_title: 'Link officer',
        email: 'officer@bench-council.example',
        phone: '+442079460958',
      })
      .execute();
    const complaint = await db.kysely
      .insertInto('complaints')
      .values({
        reference: '26 999 001',
        authority_id: authority.id,
        service_area: 'housing',
        channel: 'online',
        summary: 'Bench',
        authority_process_finished: true,
        received_at: new Date(),
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    const itemId = await db.kysely.transaction().execute((trx) =>
      services.correspondence.write(trx, {
        complaintId: complaint.id,
        kind: 'enquiry',
        addressees: ['link-officers'],
        subject: 'Enquiry',
        text: 'Please reply.',
        actor: null,
      }),
    );
    await services.correspondence.dispatch(itemId);
    const thread = await db.kysely
      .selectFrom('correspondence_threads')
      .select('reply_token')
      .where('complaint_id', '=', complaint.id)
      .executeTakeFirstOrThrow();
    // The gateway as production runs it: the server bundle in its own process with the mail-in role.
    const gatewayPort = await freePort();
    const gateway = await startServer(dbUrl, await freePort(), {
      roles: 'mail-in',
      env: {
        MAIL_DOMAIN: 'liaison.bench',
        MAIL_IN_HOST: '127.0.0.1',
        MAIL_IN_PORT: String(gatewayPort),
        DATA_DIR: dataDir,
        DOCUMENT_MAX_BYTES: String(5 * 1024 * 1024),
      },
      ready: () => smtpGreets(gatewayPort),
    });
    const base = Buffer.concat([Buffer.from('%PDF-1.4\n'), crypto.randomBytes(1024 * 1024 - 32)]);
    const messages = Array.from({ length: IN }, (_, i) => ({
      from: 'officer@bench-council.example',
      to: `case+${thread.reply_token}@liaison.bench`,
      subject: `Response ${i}`,
      text: `Our response number ${i}.`,
      attachments: [{ filename: `response-${i}.pdf`, content: Buffer.concat([base, Buffer.from(`\n%${i}\n%%EOF\n`)]) }],
    }));
    // Built before the clock starts and sent from another process: the figure is the gateway's, not
    // the sending side's MIME encoding.
    const composer = nodemailer.createTransport({ streamTransport: true, buffer: true });
    const mailDir = fs.mkdtempSync(path.join(os.tmpdir(), 'liaison-bench-eml-'));
    for (const [i, m] of messages.entries()) {
      const info = (await composer.sendMail(m)) as { message: Buffer };
      fs.writeFileSync(path.join(mailDir, `${i}.eml`), info.message);
      fs.writeFileSync(path.join(mailDir, `${i}.json`), JSON.stringify({ from: m.from, to: m.to }));
    }
    const cpuBefore = [cpuOf(gateway.pid ?? 0), postgresCpu()];
    const sending = await sendMailDir(mailDir, gatewayPort);
    const inSeconds = sending.ms / 1000;
    const cpuAfter = [cpuOf(gateway.pid ?? 0), postgresCpu(), sending.cpuMs];
    const cpuPerMessage = (i: number) => round(((cpuAfter[i] ?? 0) - (cpuBefore[i] ?? 0)) / IN);
    fs.rmSync(mailDir, { recursive: true, force: true });
    await stopServer(gateway);
    const filed = (
      await db.kysely
        .selectFrom('correspondence_attachments')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('document_id', 'is not', null)
        .executeTakeFirstOrThrow()
    ).n;
    // Each document holds the very bytes sent: the SHA-256 of every attachment is found once.
    const sentHashes = messages.map((m) =>
      crypto
        .createHash('sha256')
        .update(m.attachments[0]?.content ?? '')
        .digest('hex'),
    );
    const storedHashes = new Set(
      (await db.kysely.selectFrom('documents').select('sha256').execute()).map((d) => d.sha256),
    );
    const intact = sentHashes.filter((h) => storedHashes.has(h)).length;
    results.inbound = {
      messages: IN,
      filedWithDocument: filed,
      documentsIntact: intact,
      seconds: round(inSeconds),
      perSecond: round(IN / inSeconds),
      cpuMsPerMessage: { gateway: cpuPerMessage(0), postgres: cpuPerMessage(1), sender: cpuPerMessage(2) },
    };
    log(
      `Inbound: ${IN} replies with a 1 MB attachment each in ${round(inSeconds)} s = ${round(IN / inSeconds)} messages/s; ${filed} filed with their document, ${intact} documents byte for byte as sent`,
    );
    log(`  CPU ms a message: gateway ${cpuPerMessage(0)}, PostgreSQL ${cpuPerMessage(1)}, sender ${cpuPerMessage(2)}`);
    fs.rmSync(dataDir, { recursive: true, force: true });
    fs.mkdirSync(path.join(ROOT, 'tmp'), { recursive: true });
    fs.writeFileSync(path.join(ROOT, 'tmp/bench-mail-results.json'), `${JSON.stringify(results, null, 2)}\n`);
  } finally {
    await sink.close();
    await db.close();
    server.stop();
  }
}

await main();
