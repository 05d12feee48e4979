import path from 'node:path';
import { z } from 'zod';

/**
 * The one typed configuration. Every setting comes from the environment, is validated here, and
 * boot fails listing every problem at once. Nothing else reads process.env.
 */

const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

const int = (def: number, min = 0, max = Number.MAX_SAFE_INTEGER) =>
  z.coerce.number().int().min(min).max(max).default(def);

const dateList = z
  .string()
  .default('')
  .transform((s) =>
    s
      .split(',')
      .map((d) => d.trim())
      .filter((d) => d !== ''),
  )
  .pipe(z.array(z.iso.date({ message: 'must be a comma-separated list of YYYY-MM-DD dates' })));

/** One key of a key ring: its id (stored beside what it encrypts) and its 32 bytes. */
export interface EncryptionKey {
  id: string;
  key: Buffer;
}

function parseEncryptionKeys(text: string, ctx: z.RefinementCtx): EncryptionKey[] {
  const keys: EncryptionKey[] = [];
  for (const entry of text.split(',').map((e) => e.trim())) {
    const match = /^([A-Za-z0-9_-]{1,32}):([A-Za-z0-9+/=_-]+)$/.exec(entry);
    // Node reads both base64 alphabets.
    const key = match?.[2] ? Buffer.from(match[2], 'base64') : null;
    if (!match?.[1] || !key || key.length !== 32) {
      ctx.addIssue({ code: 'custom', message: 'must be comma-separated id:key pairs, each key 32 bytes in base64' });
      return [];
    }
    if (keys.some((k) => k.id === match[1])) {
      ctx.addIssue({ code: 'custom', message: `the key id ${match[1]} is used twice` });
      return [];
    }
    keys.push({ id: match[1], key });
  }
  return keys;
}

/** Development only: production refuses to start without TOTP_ENCRYPTION_KEYS. */
const DEVELOPMENT_TOTP_KEY: EncryptionKey = {
  id: 'development',
  key: Buffer.from('development-only-totp-key-000000'),
};

export const configSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  PORT: int(3000, 0, 65535),
  HOST: z.string().default('127.0.0.1'),
  BASE_URL: z.url().optional(),
  DATA_DIR: z.string().default('.data'),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL')
    .optional(),
  DATABASE_POOL_SIZE: int(10, 1, 200),
  /** A streaming replica that pages which may show figures a few seconds old read from (none: the primary). */
  DATABASE_REPLICA_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL')
    .optional(),
  /** The replica is read only while it is streaming and at most this many seconds behind the primary. */
  DATABASE_REPLICA_MAX_LAG_SECONDS: int(5, 0, 3600),
  /** A direct connection to the primary for what holds one session (migrations), when DATABASE_URL is a pooler's. */
  DATABASE_DIRECT_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL')
    .optional(),
  /** Named prepared statements; `false` behind a pooler in transaction mode that cannot keep them (PgBouncer before 1.21). */
  DATABASE_PREPARED_STATEMENTS: bool.default(true),
  SMTP_URL: z
    .string()
    .regex(/^smtps?:\/\//, 'must be an smtp:// or smtps:// URL')
    .optional(),
  MAIL_FROM: z.string().default('Liaison <no-reply@liaison.localhost>'),
  MAIL_DOMAIN: z.string().default('liaison.localhost'),
  MAIL_IN_PORT: int(2525, 0, 65535),
  MAIL_IN_HOST: z.string().default('127.0.0.1'),
  /** Outgoing mail: messages in flight at once per worker, at most so many a second to one domain, and how long a claim lasts. */
  MAIL_CONCURRENCY: int(4, 1, 64),
  MAIL_PER_DOMAIN_PER_SECOND: int(20, 1, 10_000),
  MAIL_LEASE_SECONDS: int(900, 10, 86_400),
  ROLES: z
    .string()
    .default('web,worker,mail-in')
    .transform((s) => s.split(',').map((r) => r.trim()))
    .pipe(z.array(z.enum(['web', 'worker', 'mail-in'])).min(1)),
  SESSION_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  SESSION_IDLE_MINUTES: int(30, 1),
  SESSION_ABSOLUTE_HOURS: int(12, 1),
  SIGNIN_MAX_FAILURES_PER_ACCOUNT: int(5, 1),
  SIGNIN_MAX_FAILURES_PER_IP: int(20, 1),
  SIGNIN_LOCKOUT_MINUTES: int(15, 1),
  INVITATION_TTL_HOURS: int(72, 1),
  PASSWORD_RESET_TTL_MINUTES: int(60, 1),
  EXTRA_CLOSURE_DAYS: dateList,
  /** Enquiries: working days to respond, by kind; reminders and escalation in working days. */
  ENQUIRY_DUE_WORKING_DAYS: int(20, 1, 260),
  DOCUMENT_REQUEST_DUE_WORKING_DAYS: int(10, 1, 260),
  ENQUIRY_REMINDER_WORKING_DAYS: int(5, 0, 60),
  ENQUIRY_ESCALATION_WORKING_DAYS: int(5, 1, 60),
  ENQUIRY_SWEEP_SECONDS: int(300, 1, 86_400),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  BODY_LIMIT_BYTES: int(1_048_576, 1024),
  JOB_POLL_SECONDS: int(2, 1, 60),
  DASHBOARD_CACHE_SECONDS: int(5, 0, 300),
  SESSION_CACHE_MS: int(1000, 0, 10_000),
  /** Public pages that opt in are kept whole this long by each web process (`src/http/public-pages.ts`); 0: never. */
  PUBLIC_PAGE_CACHE_SECONDS: int(5, 0, 300),
  /**
   * Who may say where a request came from (X-Forwarded-For). `false`: nobody, the connection's
   * address counts. A number: that many proxies in front (`true` is 1: nginx alone), so the client is
   * the entry the outermost of them added, never one a client wrote itself. Or the proxies' own
   * addresses and CIDR ranges, comma-separated.
   */
  TRUST_PROXY: z
    .string()
    .default('false')
    .transform((v, ctx): false | number | string => {
      const text = v.trim().toLowerCase();
      if (['false', '0', 'no', ''].includes(text)) return false;
      if (['true', 'yes'].includes(text)) return 1;
      if (/^\d{1,2}$/.test(text)) return Number(text);
      if (/^[0-9a-f.:/]+(\s*,\s*[0-9a-f.:/]+)*$/.test(text)) return text.replace(/\s+/g, '');
      ctx.addIssue({
        code: 'custom',
        message: "must be false, true (one proxy), a number of proxies, or the proxies' addresses (comma-separated)",
      });
      return z.NEVER;
    }),
  /**
   * Keys that encrypt two-factor secrets at rest (AES-256-GCM): comma-separated `id:base64key`, each
   * key 32 bytes, the newest first. Required in production.
   */
  TOTP_ENCRYPTION_KEYS: z
    .string()
    .optional()
    .transform((s, ctx) => (s === undefined ? undefined : parseEncryptionKeys(s, ctx))),
  /** Documents: the largest upload taken, and where files are kept (default DATA_DIR/documents). */
  DOCUMENT_MAX_BYTES: int(10 * 1024 * 1024, 1024),
  DOCUMENTS_DIR: z.string().optional(),
  /** The public complaint form's uploads: per address each hour, and the bytes all unsent drafts may hold together. */
  ANON_UPLOADS_PER_HOUR: int(20, 1, 10_000),
  ANON_UPLOAD_BUDGET_BYTES: int(1024 * 1024 * 1024, 0),
  /** Inbound mail: where each message's source is kept (default DATA_DIR/mail). */
  MAIL_DIR: z.string().optional(),
  /** Complaints: the assessment target and the time an authority has to send documents asked for. */
  ASSESSMENT_TARGET_WORKING_DAYS: int(20, 1, 250),
  DOCUMENT_REQUEST_WORKING_DAYS: int(10, 1, 250),
  /** Decisions: working days each party has to comment on a draft; working days to ask for a review of a final decision. */
  DRAFT_COMMENT_WORKING_DAYS: int(10, 1, 260),
  DECISION_REVIEW_WORKING_DAYS: int(20, 1, 260),
  /** Remedies: the default time to comply after the final decision, reminders and escalation, in working days. */
  REMEDY_DUE_WORKING_DAYS: int(20, 1, 260),
  REMEDY_REMINDER_WORKING_DAYS: int(5, 0, 60),
  REMEDY_ESCALATION_WORKING_DAYS: int(10, 1, 60),
  REMEDY_SWEEP_SECONDS: int(300, 1, 86_400),
  /** Public reports: days for the public notice after a report; reminders and escalation of statutory steps, in days. */
  PUBLIC_REPORT_NOTICE_DAYS: int(14, 1, 90),
  PUBLIC_REPORT_REMINDER_DAYS: int(7, 0, 60),
  PUBLIC_REPORT_ESCALATION_DAYS: int(14, 1, 90),
  PUBLIC_REPORT_SWEEP_SECONDS: int(3600, 1, 86_400),
});

export type RawConfig = z.infer<typeof configSchema>;

/** A PostgreSQL server: the primary (perhaps through a pooler), with its optional replica and direct address. */
export interface PostgresTarget {
  kind: 'postgres';
  url: string;
  /** Named prepared statements (default true). */
  prepare?: boolean;
  replica?: { url: string; maxLagSeconds: number };
  /** Where sessions held for several statements (migrations) connect, when `url` is a pooler's. */
  directUrl?: string;
}

export interface Config extends Omit<RawConfig, 'BASE_URL' | 'SESSION_SECRET' | 'TOTP_ENCRYPTION_KEYS'> {
  BASE_URL: string;
  SESSION_SECRET: string;
  /** The newest key first: it encrypts; the others only decrypt until secrets are re-encrypted. */
  TOTP_ENCRYPTION_KEYS: EncryptionKey[];
  /** Absolute path of the data folder (embedded database, documents). */
  dataDir: string;
  database: { kind: 'pglite'; dir: string } | PostgresTarget;
  production: boolean;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Liaison cannot start: the configuration has ${problems.length} problem(s):\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigError';
  }
}

/** Parses the environment; throws ConfigError listing every problem. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const picked: Record<string, string> = {};
  for (const key of Object.keys(configSchema.shape)) {
    const value = env[key];
    if (value !== undefined && value !== '') picked[key] = value;
  }
  const parsed = configSchema.safeParse(picked);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`));
  }
  const raw = parsed.data;
  const problems: string[] = [];
  const production = raw.NODE_ENV === 'production';
  if (production && !raw.SESSION_SECRET) problems.push('SESSION_SECRET: required in production');
  if (production && !raw.BASE_URL) problems.push('BASE_URL: required in production');
  if (production && !raw.TOTP_ENCRYPTION_KEYS) problems.push('TOTP_ENCRYPTION_KEYS: required in production');
  if (problems.length > 0) throw new ConfigError(problems);

  const dataDir = path.resolve(raw.DATA_DIR);
  return {
    ...raw,
    BASE_URL: (raw.BASE_URL ?? `http://localhost:${raw.PORT}`).replace(/\/$/, ''),
    // Development default only: production refuses to start without a secret (above).
    SESSION_SECRET: raw.SESSION_SECRET ?? 'development-only-secret-do-not-use-in-production',
    TOTP_ENCRYPTION_KEYS: raw.TOTP_ENCRYPTION_KEYS ?? [DEVELOPMENT_TOTP_KEY],
    dataDir,
    database: raw.DATABASE_URL
      ? {
          kind: 'postgres',
          url: raw.DATABASE_URL,
          prepare: raw.DATABASE_PREPARED_STATEMENTS,
          ...(raw.DATABASE_REPLICA_URL
            ? { replica: { url: raw.DATABASE_REPLICA_URL, maxLagSeconds: raw.DATABASE_REPLICA_MAX_LAG_SECONDS } }
            : {}),
          ...(raw.DATABASE_DIRECT_URL ? { directUrl: raw.DATABASE_DIRECT_URL } : {}),
        }
      : { kind: 'pglite', dir: path.join(dataDir, 'pglite') },
    production,
  };
}
