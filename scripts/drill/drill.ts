/**
 * The fault drill (`npm run drill`; `DRILL_SIZE=small` for CI). Brings up the production topology
 * (scripts/cluster.sh) in its own folder and ports, puts it under a steady load of page views and
 * directory searches, public complaint forms (posts with CSRF, drafts and an upload, each ending
 * in an acknowledgement email) and inbound mail, then kills with SIGKILL in turn a web process, a
 * worker, mail-in, a PgBouncer and the replica, restarting each. Then it checks that every write
 * acknowledged to a user and every email accepted by SMTP is present exactly once, that no outgoing
 * message reached the relay twice, and reports per fault the requests that failed and how long users
 * saw errors. Last it takes a pg_dump of the running system (and a copy of its documents), restores
 * it into a fresh PostgreSQL cluster and compares every table's row count and contents and every
 * document's checksum. Exits non-zero when a check fails. See docs/operations.md.
 */
import { execFile, spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { createHash, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import https from 'node:https';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import nodemailer from 'nodemailer';
import pg from 'pg';
import { SMTPServer } from 'smtp-server';

const ROOT = path.resolve(import.meta.dirname, '../..');
const small = process.env.DRILL_SIZE === 'small';
/** Seconds: load before the first fault, each fault's window, load after the last. */
const SIZE = small
  ? { warmup: 6, window: 12, settle: 5, complainants: 2, viewers: 2, uploads: 4 }
  : { warmup: 10, window: 20, settle: 10, complainants: 3, viewers: 3, uploads: 12 };
const FAULTS = ['web1', 'worker1', 'mail-in', 'pgbouncer1', 'replica'] as const;
/** Error budget per fault (the share of requests that may fail while it lasts) and seconds to recover. */
const MAX_FAILED_SHARE = 0.01;
const MAX_RECOVERY_SECONDS = 10;

const dir = process.env.CLUSTER_DIR ?? '/tmp/liaison-drill';
const ports = {
  https: Number(process.env.CLUSTER_HTTPS_PORT ?? 8543),
  web: process.env.CLUSTER_WEB_PORTS ?? '3201 3202',
  mailIn: Number(process.env.CLUSTER_MAIL_IN_PORT ?? 2725),
  pgbouncer: Number(process.env.CLUSTER_PGBOUNCER_PORT ?? 6532),
  primary: Number(process.env.CLUSTER_PRIMARY_PORT ?? 5541),
  replica: Number(process.env.CLUSTER_REPLICA_PORT ?? 5542),
  sink: Number(process.env.DRILL_SINK_PORT ?? 2726),
  restore: Number(process.env.DRILL_RESTORE_PORT ?? 5543),
};
const clusterEnv: NodeJS.ProcessEnv = {
  ...process.env,
  CLUSTER_DIR: dir,
  CLUSTER_HTTPS_PORT: String(ports.https),
  CLUSTER_WEB_PORTS: ports.web,
  CLUSTER_MAIL_IN_PORT: String(ports.mailIn),
  CLUSTER_PGBOUNCER_PORT: String(ports.pgbouncer),
  CLUSTER_PRIMARY_PORT: String(ports.primary),
  CLUSTER_REPLICA_PORT: String(ports.replica),
  CLUSTER_SMTP_URL: `smtp://127.0.0.1:${ports.sink}`,
  CLUSTER_DEMO: '1',
};
const primaryUrl = `postgres://postgres@127.0.0.1:${ports.primary}/liaison`;
const runId = randomUUID().slice(0, 8);

const say = (line: string) => process.stdout.write(`${line}\n`);
const seconds = (ms: number) => (ms / 1000).toFixed(1);

function run(command: string, args: string[], env: NodeJS.ProcessEnv = clusterEnv): SpawnSyncReturns<string> {
  return spawnSync(command, args, { cwd: ROOT, env, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
}
/** Runs cluster.sh without blocking: the load and the relay go on meanwhile. */
function cluster(...args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      'bash',
      ['scripts/cluster.sh', ...args],
      { cwd: ROOT, env: clusterEnv, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => {
        if (error) reject(new Error(`cluster.sh ${args.join(' ')} failed:\n${stderr}${stdout}`));
        else resolve(stdout);
      },
    );
  });
}

// ---- the relay that outgoing mail goes to: counts each Message-ID ----

const relayed = new Map<string, number>();
const relay = new SMTPServer({
  authOptional: true,
  disabledCommands: ['AUTH', 'STARTTLS'],
  logger: false,
  onData(stream, _session, callback) {
    const chunks: Buffer[] = [];
    stream.on('data', (c: Buffer) => chunks.push(c));
    stream.on('end', () => {
      const head =
        Buffer.concat(chunks)
          .toString('utf8')
          .split(/\r?\n\r?\n/)[0] ?? '';
      const id = /^message-id:\s*(<[^>]+>)/im.exec(head)?.[1] ?? `(none ${randomUUID()})`;
      relayed.set(id, (relayed.get(id) ?? 0) + 1);
      callback();
    });
  },
});

// ---- an HTTP client with cookies, through nginx (TLS, a self-signed certificate) ----

const agent = new https.Agent({ keepAlive: true, maxSockets: 64, rejectUnauthorized: false });

interface Sample {
  start: number;
  end: number;
  ok: boolean;
  what: string;
  /** Why it failed: the status answered, or the network error. */
  why?: string;
}
const samples: Sample[] = [];

interface Reply {
  status: number;
  location: string | undefined;
  body: string;
}

class Browser {
  private readonly cookies = new Map<string, string>();
  constructor(private readonly headers: Record<string, string> = {}) {}

  private send(method: string, url: string, body?: { type: string; data: Buffer }): Promise<Reply> {
    return new Promise((resolve, reject) => {
      const cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
      const req = https.request(
        {
          host: '127.0.0.1',
          port: ports.https,
          servername: 'localhost',
          method,
          path: url,
          agent,
          timeout: 120_000,
          headers: {
            host: `localhost:${ports.https}`,
            ...this.headers,
            ...(cookie ? { cookie } : {}),
            ...(body ? { 'content-type': body.type, 'content-length': String(body.data.length) } : {}),
          },
        },
        (res) => {
          for (const line of res.headers['set-cookie'] ?? []) {
            const [pair = ''] = line.split(';');
            const at = pair.indexOf('=');
            const name = pair.slice(0, at).trim();
            const value = pair.slice(at + 1).trim();
            if (!value || /max-age=0/i.test(line)) this.cookies.delete(name);
            else this.cookies.set(name, value);
          }
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () =>
            resolve({
              status: res.statusCode ?? 0,
              location: res.headers.location,
              body: Buffer.concat(chunks).toString('utf8'),
            }),
          );
          res.on('error', reject);
        },
      );
      req.on('timeout', () => req.destroy(new Error('timed out')));
      req.on('error', reject);
      req.end(body?.data);
    });
  }

  /** One request; a failure is a network error or a status other than those expected. */
  async request(
    what: string,
    method: string,
    url: string,
    expect: number[],
    body?: { type: string; data: Buffer },
  ): Promise<Reply | null> {
    const start = Date.now();
    let reply: Reply | null = null;
    let why: string | undefined;
    try {
      reply = await this.send(method, url, body);
    } catch (error) {
      reply = null;
      why = error instanceof Error ? error.message : String(error);
    }
    const ok = reply !== null && expect.includes(reply.status);
    if (!ok && reply) why = `HTTP ${reply.status}`;
    samples.push({ start, end: Date.now(), ok, what, ...(why ? { why } : {}) });
    return ok ? reply : null;
  }

  get(url: string, what = 'page'): Promise<Reply | null> {
    return this.request(what, 'GET', url, [200]);
  }

  post(url: string, form: Record<string, string>, what = 'form'): Promise<Reply | null> {
    return this.request(what, 'POST', url, [303], {
      type: 'application/x-www-form-urlencoded',
      data: Buffer.from(new URLSearchParams(form).toString()),
    });
  }
}

const csrfOf = (html: string) => /name="_csrf" value="([^"]+)"/.exec(html)?.[1] ?? '';

let stopping = false;

/** Does `step` until it succeeds (a person pressing the button again), at most `tries` times. */
async function persist<T>(step: () => Promise<T | null>, tries = 6): Promise<T | null> {
  for (let i = 0; i < tries && !stopping; i++) {
    const result = await step();
    if (result !== null) return result;
    await sleep(1000);
  }
  return null;
}

// ---- the load ----

interface Complaint {
  marker: string;
  upload: string | null;
  /** The user was told it was sent (the confirmation page), or the last post failed and they cannot know. */
  outcome: 'acknowledged' | 'unknown';
}
const complaints: Complaint[] = [];
let uploadsLeft = SIZE.uploads;

async function complaintJourney(authorityId: string, n: number): Promise<void> {
  const b = new Browser();
  const marker = `drill ${runId} complaint ${n}`;
  const upload = uploadsLeft-- > 0 ? `Letter ${marker}\n${randomUUID()}\n` : null;
  const steps: [string, Record<string, string>][] = [
    ['authority', { authorityId }],
    ['service', { serviceArea: 'housing' }],
    ['process-finished', { processFinished: 'no' }],
    ['complained-date', { 'complainedOn-day': '1', 'complainedOn-month': '5', 'complainedOn-year': '2026' }],
    ['aware-date', { 'awareOn-day': '1', 'awareOn-month': '3', 'awareOn-year': '2026' }],
    ['what-happened', { summary: `${marker}: the council lost my housing application.` }],
    ['injustice', { injustice: 'I waited months in temporary housing.' }],
    ['outcome', { outcomeWanted: 'An apology and a decision.' }],
    ['urgent', { urgent: 'street-homelessness' }],
    ['on-behalf', { onBehalf: 'no' }],
    ['your-details', { name: 'Sam Carter', email: `complainant-${runId}-${n}@example.test`, phone: '' }],
    ['needs', { communicationNeeds: 'Large print letters' }],
    ['consent', { consent: 'yes' }],
  ];
  if (!(await persist(() => b.get('/complain')))) return;
  for (const [slug, form] of steps) {
    const ok = await persist(async () => {
      const page = await b.get(`/complain/${slug}`);
      return page && b.post(`/complain/${slug}`, { _csrf: csrfOf(page.body), ...form });
    });
    if (!ok) return; // given up, nothing sent
  }
  const attachments = await persist(() => b.get('/complain/attachments'));
  if (!attachments) return;
  if (upload) {
    const boundary = `drill${randomUUID().replaceAll('-', '')}`;
    const data = Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="_csrf"\r\n\r\n${csrfOf(attachments.body)}\r\n` +
        `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="letter.txt"\r\n` +
        `Content-Type: text/plain\r\n\r\n${upload}\r\n--${boundary}--\r\n`,
    );
    const sent = await b.request('upload', 'POST', '/complain/attachments/upload', [303], {
      type: `multipart/form-data; boundary=${boundary}`,
      data,
    });
    if (!sent) return;
  }
  const moved = await persist(async () => {
    const page = await b.get('/complain/attachments');
    return page && b.post('/complain/attachments', { _csrf: csrfOf(page.body) });
  });
  if (!moved) return;
  const check = await persist(() => b.get('/complain/check'));
  if (!check) return;
  // The one post that makes the complaint: sent once, as a person would; its answer is the acknowledgement.
  const sent = await b.post('/complain/check', { _csrf: csrfOf(check.body) }, 'send');
  const acknowledged = sent?.location === '/complain/confirmation';
  complaints.push({ marker, upload: acknowledged ? upload : null, outcome: acknowledged ? 'acknowledged' : 'unknown' });
  if (acknowledged) await b.get('/complain/confirmation');
}

async function complainant(authorityId: string, id: number): Promise<void> {
  for (let n = 0; !stopping; n++) await complaintJourney(authorityId, id * 10_000 + n);
}

async function viewer(token: string): Promise<void> {
  const b = new Browser();
  const api = new Browser({ authorization: `Bearer ${token}`, accept: 'application/json' });
  const words = ['camden', 'leeds', 'surrey', 'council', 'borough', 'cornwall'];
  for (let n = 0; !stopping; n++) {
    await b.get('/');
    await b.get('/complain');
    await b.get('/assets/liaison.css', 'asset');
    await b.get(`/complain/authority?q=${words[n % words.length]}`);
    // The directory search, read from the replica while it is fit.
    await api.get(`/api/v1/authorities?q=${words[(n + 1) % words.length]}`, 'search');
    await sleep(100);
  }
}

interface Mail {
  messageId: string;
  attempts: number;
  accepted: boolean;
}
const mails: Mail[] = [];
const smtpAttempts: Sample[] = [];

async function mailer(): Promise<void> {
  const composer = nodemailer.createTransport({ streamTransport: true, buffer: true });
  for (let n = 0; !stopping; n++) {
    const mail: Mail = { messageId: `<drill-${runId}-${n}@sender.example>`, attempts: 0, accepted: false };
    mails.push(mail);
    // As a sending mail server does: the message is made once and kept, then sent as it is, byte for
    // byte, until accepted (here, for two minutes at most).
    const { message: raw } = (await composer.sendMail({
      from: 'Resident <resident@sender.example>',
      to: `enquiries@liaison.localhost`,
      subject: `Drill ${runId} message ${n}`,
      text: `A message from the drill, number ${n}.`,
      messageId: mail.messageId,
    })) as { message: Buffer };
    const envelope = { from: 'resident@sender.example', to: ['enquiries@liaison.localhost'] };
    const until = Date.now() + 120_000;
    while (!mail.accepted && Date.now() < until) {
      const transport = nodemailer.createTransport({
        host: '127.0.0.1',
        port: ports.mailIn,
        secure: false,
        ignoreTLS: true,
        connectionTimeout: 30_000,
        socketTimeout: 60_000,
      });
      const start = Date.now();
      mail.attempts++;
      try {
        await transport.sendMail({ envelope, raw });
        mail.accepted = true;
      } catch {
        await sleep(1000);
      } finally {
        transport.close();
      }
      smtpAttempts.push({ start, end: Date.now(), ok: mail.accepted, what: 'smtp' });
    }
    await sleep(300);
  }
}

// ---- the checks ----

interface Fault {
  part: string;
  killedAt: number;
  readyAt: number;
  windowEnd: number;
}

function faultReport(fault: Fault, list: Sample[]) {
  // A request counts where the user saw its outcome: one sent just before the next fault and cut
  // by it belongs to that fault, not to the window it started in.
  const during = list.filter((s) => s.end >= fault.killedAt && s.end < fault.windowEnd);
  const failed = during.filter((s) => !s.ok);
  const lastFailure = failed.reduce((t, s) => Math.max(t, s.end), fault.killedAt);
  const reasons = new Map<string, number>();
  for (const s of failed) {
    const reason = `${s.what} ${s.why ?? 'failed'}`;
    reasons.set(reason, (reasons.get(reason) ?? 0) + 1);
  }
  return {
    requests: during.length,
    failed: failed.length,
    share: during.length ? failed.length / during.length : 0,
    recovery: (lastFailure - fault.killedAt) / 1000,
    /** The commonest reasons for the failures, most first. */
    reasons: [...reasons].sort((a, b) => b[1] - a[1]).slice(0, 5),
  };
}

async function fingerprint(client: pg.Client): Promise<Map<string, string>> {
  const { rows: tables } = await client.query<{ name: string }>(
    `SELECT format('%I.%I', table_schema, table_name) AS name FROM information_schema.tables
      WHERE table_schema IN ('public', 'pgboss') AND table_type = 'BASE TABLE' ORDER BY 1`,
  );
  const result = new Map<string, string>();
  for (const { name } of tables) {
    const { rows } = await client.query<{ n: string; digest: string | null }>(
      `SELECT count(*) AS n, md5(string_agg(t::text, E'\\n' ORDER BY t::text)) AS digest FROM ${name} t`,
    );
    result.set(name, `${rows[0]?.n ?? '?'} rows, ${rows[0]?.digest ?? 'empty'}`);
  }
  return result;
}

function pgBin(): string {
  const base = '/usr/lib/postgresql';
  const version = fs
    .readdirSync(base)
    .filter((v) => fs.existsSync(path.join(base, v, 'bin/pg_dump')))
    .sort((a, b) => Number(a) - Number(b))
    .at(-1);
  if (!version) throw new Error('PostgreSQL is not installed');
  return path.join(base, version, 'bin');
}

function asPostgres(command: string, args: string[]): SpawnSyncReturns<string> {
  const result =
    process.getuid?.() === 0 ? run('runuser', ['-u', 'postgres', '--', command, ...args]) : run(command, args);
  if (result.status !== 0) throw new Error(`${path.basename(command)} failed: ${result.stderr}`);
  return result;
}

/** Backs up the running system, restores it into a fresh cluster and compares. Returns the problems. */
async function backupAndRestore(): Promise<string[]> {
  const bin = pgBin();
  const work = path.join(dir, 'backup');
  fs.rmSync(work, { recursive: true, force: true });
  fs.mkdirSync(work, { recursive: true });
  if (process.getuid?.() === 0) run('chown', ['postgres:postgres', work]);
  const dump = path.join(work, 'liaison.dump');
  const source = new pg.Client({ connectionString: primaryUrl });
  await source.connect();
  let before: Map<string, string>;
  const started = Date.now();
  try {
    // One snapshot for the dump and for the figures it is compared with, while the system runs.
    await source.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    const { rows } = await source.query<{ snapshot: string }>('SELECT pg_export_snapshot() AS snapshot');
    asPostgres(path.join(bin, 'pg_dump'), [
      '-Fc',
      `--snapshot=${rows[0]?.snapshot ?? ''}`,
      '-d',
      primaryUrl,
      '-f',
      dump,
    ]);
    before = await fingerprint(source);
    await source.query('COMMIT');
  } finally {
    await source.end();
  }
  // Documents are written once under their content's name, so a copy taken after the dump has every
  // file the dump names (and perhaps newer ones).
  const documents = path.join(work, 'documents');
  fs.cpSync(path.join(dir, 'data/documents'), documents, { recursive: true });
  const backupSeconds = (Date.now() - started) / 1000;

  const data = path.join(work, 'restored');
  const problems: string[] = [];
  asPostgres(path.join(bin, 'initdb'), [
    '-D',
    data,
    '--auth=trust',
    '-E',
    'UTF8',
    '--locale=C.UTF-8',
    '-U',
    'postgres',
  ]);
  asPostgres(path.join(bin, 'pg_ctl'), [
    '-D',
    data,
    '-l',
    path.join(work, 'restored.log'),
    '-o',
    `-h 127.0.0.1 -p ${ports.restore} -k ${work}`,
    '-w',
    'start',
  ]);
  try {
    const restoreUrl = (db: string) => `postgres://postgres@127.0.0.1:${ports.restore}/${db}`;
    const admin = new pg.Client({ connectionString: restoreUrl('postgres') });
    await admin.connect();
    await admin.query('CREATE ROLE liaison LOGIN');
    await admin.query('CREATE DATABASE liaison OWNER liaison');
    await admin.end();
    const t0 = Date.now();
    asPostgres(path.join(bin, 'pg_restore'), ['-d', restoreUrl('liaison'), '--exit-on-error', dump]);
    const restoreSeconds = (Date.now() - t0) / 1000;
    const restored = new pg.Client({ connectionString: restoreUrl('liaison') });
    await restored.connect();
    try {
      const after = await fingerprint(restored);
      for (const [table, figure] of before) {
        if (after.get(table) !== figure)
          problems.push(`${table}: ${figure} before, ${after.get(table) ?? 'missing'} after`);
      }
      const { rows: docs } = await restored.query<{ storage_key: string; sha256: string }>(
        'SELECT storage_key, sha256 FROM documents',
      );
      let checked = 0;
      for (const doc of docs) {
        const file = path.join(documents, doc.storage_key);
        const sum = fs.existsSync(file) ? createHash('sha256').update(fs.readFileSync(file)).digest('hex') : 'missing';
        if (sum !== doc.sha256) problems.push(`document ${doc.storage_key}: checksum ${sum}, expected ${doc.sha256}`);
        else checked++;
      }
      const rowsTotal = [...before.values()].reduce((t, f) => t + Number.parseInt(f, 10), 0);
      say(
        `Backup: pg_dump of the running system and its documents in ${backupSeconds.toFixed(1)} s ` +
          `(${(fs.statSync(dump).size / 1024).toFixed(0)} KiB); restored into a fresh cluster in ${restoreSeconds.toFixed(1)} s.`,
      );
      say(
        `Restore: ${before.size} tables, ${rowsTotal} rows: ${before.size - problems.length} of ${before.size} ` +
          `tables with equal row counts and contents; ${checked} of ${docs.length} document checksums equal.`,
      );
    } finally {
      await restored.end();
    }
  } finally {
    asPostgres(path.join(bin, 'pg_ctl'), ['-D', data, '-m', 'fast', '-w', 'stop']);
    fs.rmSync(work, { recursive: true, force: true });
  }
  return problems;
}

// ---- the drill ----

async function main(): Promise<number> {
  const t0 = Date.now();
  say(`Fault drill (${small ? 'small' : 'full'} size), cluster in ${dir}.`);
  await new Promise<void>((resolve, reject) => {
    relay.once('error', reject);
    relay.listen(ports.sink, '127.0.0.1', () => resolve());
  });
  // A cluster left by an earlier drill is removed first: the drill starts from nothing.
  await cluster('down');
  say('Bringing the cluster up…');
  await cluster('up');
  say(`Cluster up in ${seconds(Date.now() - t0)} s.`);

  const db = new pg.Client({ connectionString: primaryUrl });
  await db.connect();
  const problems: string[] = [];
  try {
    const authority = await db.query<{ id: string }>('SELECT id FROM authorities WHERE active ORDER BY name LIMIT 1');
    const authorityId = authority.rows[0]?.id;
    if (!authorityId) throw new Error('The demo data has no authority');
    const envLines = (await cluster('env')).split('\n').filter((l) => l.includes('='));
    const liaisonEnv: NodeJS.ProcessEnv = { ...process.env };
    for (const line of envLines) liaisonEnv[line.slice(0, line.indexOf('='))] = line.slice(line.indexOf('=') + 1);
    liaisonEnv.DATABASE_URL = liaisonEnv.DATABASE_DIRECT_URL;
    const tokenRun = run(
      'node',
      ['--import', 'tsx', 'src/cli/index.ts', 'token:create', '--role', 'administrator', '--name', `drill ${runId}`],
      liaisonEnv,
    );
    const token = tokenRun.stdout.trim().split('\n').at(-1)?.trim() ?? '';
    if (tokenRun.status !== 0 || !token) throw new Error(`No API token: ${tokenRun.stderr}`);

    // The load, until told to stop.
    const loops = [
      ...Array.from({ length: SIZE.complainants }, (_, i) => complainant(authorityId, i)),
      ...Array.from({ length: SIZE.viewers }, () => viewer(token)),
      mailer(),
    ];
    await sleep(SIZE.warmup * 1000);

    const faults: Fault[] = [];
    for (const part of FAULTS) {
      const killedAt = Date.now();
      await cluster('kill', part);
      // A supervisor restarts a dead process after a second or so.
      await sleep(1000);
      await cluster('start', part);
      await cluster('wait', part, '120');
      const readyAt = Date.now();
      const windowEnd = Math.max(killedAt + SIZE.window * 1000, readyAt + 2000);
      await sleep(Math.max(0, windowEnd - Date.now()));
      faults.push({ part, killedAt, readyAt, windowEnd });
      say(`Killed ${part}; restarted and ready in ${seconds(readyAt - killedAt)} s.`);
    }
    await sleep(SIZE.settle * 1000);
    stopping = true;
    await Promise.all(loops);
    const loadEnd = Date.now();

    // Outgoing mail: wait until nothing is queued or due (messages a killed worker held stay theirs until the lease ends).
    const drainUntil = Date.now() + 180_000;
    let outbox: { status: string; n: number }[] = [];
    for (;;) {
      outbox = (
        await db.query<{ status: string; n: number }>(
          `SELECT status, count(*)::int AS n FROM outbox_messages GROUP BY status ORDER BY status`,
        )
      ).rows;
      const waiting = await db.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM outbox_messages
          WHERE status = 'queued' AND (next_attempt_at IS NULL OR next_attempt_at < now() + interval '30 seconds')`,
      );
      if ((waiting.rows[0]?.n ?? 0) === 0 || Date.now() > drainUntil) break;
      await sleep(2000);
    }

    // Every part the drill did not kill is still running: a process that died of another's fault
    // (a web process of a pooler's reset connection, say) would be restarted by its supervisor, but
    // it is a defect all the same.
    const status = spawnSync('bash', ['scripts/cluster.sh', 'status'], {
      cwd: ROOT,
      env: clusterEnv,
      encoding: 'utf8',
    });
    const died = status.stdout
      .split('\n')
      .map((line) => line.trim().split(/\s+/))
      .filter(([part, state]) => part && part !== 'part' && state === 'down')
      .map(([part]) => part ?? '');
    for (const part of died) problems.push(`${part} died during the drill without being killed by it`);
    if (died.length > 0) printLogTails(40, new RegExp(`^(${died.join('|')})`));

    // ---- report ----
    const total = samples.length;
    const failedTotal = samples.filter((s) => !s.ok).length;
    say('');
    say(
      `Load: ${total} requests over ${seconds(loadEnd - t0)} s through nginx (${failedTotal} failed), ` +
        `${complaints.length} complaints sent, ${mails.length} emails sent to mail-in.`,
    );
    say('');
    say('fault       requests  failed  share   users saw errors for  restarted in');
    for (const fault of faults) {
      const r = faultReport(fault, samples);
      say(
        `${fault.part.padEnd(11)} ${String(r.requests).padStart(8)}  ${String(r.failed).padStart(6)}  ` +
          `${(r.share * 100).toFixed(1).padStart(4)} %  ${r.recovery.toFixed(1).padStart(6)} s              ` +
          `${seconds(fault.readyAt - fault.killedAt)} s`,
      );
      if (r.failed > 0) say(`${''.padEnd(11)} failures: ${r.reasons.map(([why, n]) => `${n} × ${why}`).join('; ')}`);
      if (fault.part === 'mail-in') {
        // One mail-in: while it is down, sending servers are refused and try again (nothing is lost, it is
        // checked below); their mail is late by about its restart. Pages are what users see.
        const m = faultReport(fault, smtpAttempts);
        say(
          `${''.padEnd(11)} SMTP deliveries during it: ${m.requests}, ${m.failed} refused and sent again; ` +
            `mail delayed up to ${m.recovery.toFixed(1)} s`,
        );
      }
      if (!small && r.share > MAX_FAILED_SHARE) {
        problems.push(`${fault.part}: ${(r.share * 100).toFixed(1)} % of requests failed (at most 1 %)`);
      }
      if (r.recovery > MAX_RECOVERY_SECONDS) {
        problems.push(
          `${fault.part}: users saw errors for ${r.recovery.toFixed(1)} s (at most ${MAX_RECOVERY_SECONDS})`,
        );
      }
    }
    // Users saw errors for too long: what the web processes, nginx and the poolers said, while they still run.
    if (problems.length > 0) printLogTails(30, /^(web|nginx-error|pgbouncer)/);
    const smtpFailures = smtpAttempts.filter((s) => !s.ok).length;
    say(`SMTP deliveries to mail-in in all: ${smtpAttempts.length}, ${smtpFailures} refused and sent again.`);

    // Every acknowledged complaint once; none of the others twice.
    const { rows: found } = await db.query<{ summary: string; n: number }>(
      `SELECT summary, count(*)::int AS n FROM complaints WHERE summary LIKE $1 GROUP BY summary`,
      [`drill ${runId} complaint %`],
    );
    const bySummary = new Map(found.map((r) => [r.summary.split(':')[0] ?? '', r.n]));
    const acknowledged = complaints.filter((c) => c.outcome === 'acknowledged');
    const lost = acknowledged.filter((c) => (bySummary.get(c.marker) ?? 0) === 0);
    const twice = [...bySummary].filter(([, n]) => n > 1);
    const unknownSaved = complaints.filter((c) => c.outcome === 'unknown' && bySummary.has(c.marker)).length;
    say('');
    say(
      `Complaints: ${acknowledged.length} acknowledged, ${acknowledged.length - lost.length} present, ${lost.length} lost, ` +
        `${twice.length} stored twice; ${complaints.length - acknowledged.length} whose sending failed ` +
        `(${unknownSaved} of them saved all the same, as a retry would show).`,
    );
    if (lost.length > 0)
      problems.push(`${lost.length} acknowledged complaints lost: ${lost.map((c) => c.marker).join(', ')}`);
    if (twice.length > 0) problems.push(`${twice.length} complaints stored twice`);
    const uploaded = acknowledged.filter((c) => c.upload !== null);
    if (uploaded.length > 0) {
      const { rows: docs } = await db.query<{ sha256: string }>(
        `SELECT d.sha256 FROM documents d JOIN complaints c ON c.id = d.complaint_id WHERE c.summary LIKE $1`,
        [`drill ${runId} complaint %`],
      );
      const sums = new Set(docs.map((d) => d.sha256));
      const missing = uploaded.filter(
        (c) =>
          !sums.has(
            createHash('sha256')
              .update(c.upload ?? '')
              .digest('hex'),
          ),
      );
      say(`Uploads: ${uploaded.length} filed with acknowledged complaints, ${missing.length} missing.`);
      if (missing.length > 0) problems.push(`${missing.length} uploaded documents missing`);
    }

    // Every accepted email present, and once: a delivery cut off before its answer and sent again is
    // acknowledged as the message already stored, never stored a second time.
    const { rows: inbound } = await db.query<{ message_id: string; n: number }>(
      `SELECT message_id, count(*)::int AS n FROM inbound_messages WHERE message_id LIKE $1 GROUP BY message_id`,
      [`%drill-${runId}-%`],
    );
    const stored = new Map(inbound.map((r) => [r.message_id.replace(/^<?/, '<').replace(/>?$/, '>'), r.n]));
    const accepted = mails.filter((m) => m.accepted);
    const missingMail = accepted.filter((m) => !stored.has(m.messageId));
    const storedTwice = mails.filter((m) => (stored.get(m.messageId) ?? 0) > 1);
    const sentAgain = accepted.filter((m) => m.attempts > 1 && stored.has(m.messageId)).length;
    say(
      `Inbound mail: ${accepted.length} accepted, ${accepted.length - missingMail.length} present, ${missingMail.length} lost; ` +
        `${storedTwice.length} stored more than once; ${sentAgain} sent more than once by the sender.`,
    );
    if (missingMail.length > 0) problems.push(`${missingMail.length} accepted emails lost`);
    if (storedTwice.length > 0)
      problems.push(
        `${storedTwice.length} emails stored more than once: ${storedTwice.map((m) => m.messageId).join(', ')}`,
      );

    // Outgoing: no Message-ID twice at the relay; every message recorded sent reached it.
    const duplicates = [...relayed].filter(([, n]) => n > 1);
    const { rows: sent } = await db.query<{ id: string }>(`SELECT id FROM outbox_messages WHERE status = 'sent'`);
    const domain = 'liaison.localhost';
    const notRelayed = sent.filter((r) => !relayed.has(`<${r.id}@${domain}>`));
    say(
      `Outgoing mail: ${[...relayed.values()].reduce((t, n) => t + n, 0)} messages reached the relay, ` +
        `${duplicates.length} twice; outbox ${outbox.map((r) => `${r.status} ${r.n}`).join(', ')}; ` +
        `${notRelayed.length} recorded sent but not at the relay.`,
    );
    if (duplicates.length > 0) problems.push(`${duplicates.length} outgoing messages sent twice`);
    if (notRelayed.length > 0) problems.push(`${notRelayed.length} messages recorded sent never reached the relay`);
    say('');
    problems.push(...(await backupAndRestore()));
  } finally {
    await db.end();
    relay.close();
    agent.destroy();
  }
  if (process.env.DRILL_KEEP !== '1') await cluster('down');
  say('');
  say(`Drill finished in ${seconds(Date.now() - t0)} s.`);
  if (problems.length > 0) {
    say(`FAILED: ${problems.length} problem(s):`);
    for (const p of problems) say(`  - ${p}`);
    say(`0 passed, 1 failed`);
    return 1;
  }
  say('Every check passed.');
  say('1 passed, 0 failed');
  return 0;
}

/**
 * The last lines of each part's log (or of those whose file name matches `only`), for a drill that
 * stopped before its checks or whose users saw errors too long (the folder goes with `down`).
 */
function printLogTails(lines = 40, only = /./): void {
  const logs = path.join(dir, 'log');
  if (!fs.existsSync(logs)) return;
  for (const name of fs.readdirSync(logs).sort()) {
    if (!only.test(name)) continue;
    const text = fs.readFileSync(path.join(logs, name), 'utf8').trimEnd();
    if (text === '') continue;
    say(`---- ${name} (last ${lines} lines) ----`);
    say(text.split('\n').slice(-lines).join('\n'));
  }
}

const code = await main().catch((error: unknown) => {
  say(`The drill stopped: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  printLogTails();
  if (process.env.DRILL_KEEP !== '1') spawnSync('bash', ['scripts/cluster.sh', 'down'], { cwd: ROOT, env: clusterEnv });
  return 1;
});
// The relay, the load's timers and the HTTP agent may still be open after a drill that stopped early.
process.exit(code);
