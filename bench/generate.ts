import crypto from 'node:crypto';
import { readReferenceAuthorities } from '../src/cli/demo-fixtures.ts';
import { AUTHORITY_ROLES, STAFF_ROLES, type Role } from '../src/modules/accounts/domain.ts';
import { hashPassword, hashSecret, newSecret } from '../src/modules/accounts/passwords.ts';
import type { Db } from '../src/platform/db/database.ts';

/**
 * Benchmark data: every English council from the reference list topped up with made-up care
 * providers, ombudsman staff and authority users, and a long audit history. Rows go in by the
 * thousand; every account shares one password hash (hashing 2,000 would take two minutes).
 */

export interface BenchSizes {
  authorities: number;
  users: number;
  auditEvents: number;
}

export const DEFAULT_SIZES: BenchSizes = { authorities: 400, users: 2_000, auditEvents: 50_000 };
export const BENCH_PASSWORD = 'bench-password-1';

const BATCH = 1_000;
const FIRST = ['Aisha', 'Ben', 'Carys', 'Daniel', 'Efua', 'Finn', 'Grace', 'Hamza', 'Iona', 'Jack', 'Kiran', 'Lena'];
const LAST = ['Ahmed', 'Brown', 'Clarke', 'Davies', 'Evans', 'Fraser', 'Green', 'Hughes', 'Iqbal', 'Jones', 'Khan'];

function chunks<T>(rows: T[], size = BATCH): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < rows.length; i += size) out.push(rows.slice(i, i + size));
  return out;
}

export interface GeneratedData {
  /** A staff user (investigator) to sign in as. */
  staffUserId: string;
  authorityIds: string[];
  userIds: string[];
}

export async function generateBenchData(db: Db, sizes: BenchSizes = DEFAULT_SIZES): Promise<GeneratedData> {
  const k = db.kysely;
  const real = readReferenceAuthorities().slice(0, sizes.authorities);
  const authorities = [
    ...real.map((a) => ({ name: a.name, kind: a.kind, reference: a.gssCode, region: a.region })),
    ...Array.from({ length: sizes.authorities - real.length }, (_, i) => ({
      name: `${LAST[i % LAST.length] ?? 'Oak'} House Care Home ${i + 1}`,
      kind: 'care-provider',
      reference: `1-${String(100_000_000 + i)}`,
      region: null,
    })),
  ];
  const authorityIds: string[] = [];
  for (const batch of chunks(authorities)) {
    const rows = await k.insertInto('authorities').values(batch).returning('id').execute();
    authorityIds.push(...rows.map((r) => r.id));
  }

  const passwordHash = await hashPassword(BENCH_PASSWORD);
  const staffCount = Math.max(1, Math.round(sizes.users * 0.15));
  const users = Array.from({ length: sizes.users }, (_, i) => {
    const staff = i < staffCount;
    const role: Role = staff
      ? (STAFF_ROLES[i % STAFF_ROLES.length] ?? 'investigator')
      : (AUTHORITY_ROLES[i % AUTHORITY_ROLES.length] ?? 'link-officer');
    const first = FIRST[i % FIRST.length] ?? 'Alex';
    const last = LAST[Math.floor(i / FIRST.length) % LAST.length] ?? 'Smith';
    return {
      role,
      row: {
        email: `${first.toLowerCase()}.${last.toLowerCase()}.${i}@${staff ? 'ombudsman' : 'council'}.example`,
        display_name: `${first} ${last}`,
        authority_id: staff ? null : (authorityIds[i % authorityIds.length] ?? null),
        password_hash: passwordHash,
        status: 'active' as const,
      },
    };
  });
  const userIds: string[] = [];
  for (const batch of chunks(users)) {
    const rows = await k
      .insertInto('users')
      .values(batch.map((u) => u.row))
      .returning('id')
      .execute();
    const ids = rows.map((r) => r.id);
    await k
      .insertInto('user_roles')
      .values(ids.map((id, j) => ({ user_id: id, role: batch[j]?.role ?? 'investigator' })))
      .execute();
    userIds.push(...ids);
  }
  const staffUserId = userIds[STAFF_ROLES.indexOf('investigator')] ?? userIds[0] ?? '';

  const actions = ['session.started', 'session.ended', 'user.created', 'user.updated', 'authority.updated'];
  const start = Date.UTC(2026, 0, 1);
  const span = Date.UTC(2026, 10, 1) - start;
  const events = Array.from({ length: sizes.auditEvents }, (_, i) => {
    const actor = userIds[(i * 7) % userIds.length] ?? null;
    return {
      occurred_at: new Date(start + Math.floor((span * i) / sizes.auditEvents)),
      actor_type: 'user' as const,
      actor_id: actor,
      actor_role: null,
      action: actions[i % actions.length] ?? 'user.updated',
      record_type: 'user',
      record_id: actor,
      authority_id: null,
      request_id: crypto.randomUUID(),
    };
  });
  for (const batch of chunks(events)) await k.insertInto('audit_events').values(batch).execute();

  return { staffUserId, authorityIds, userIds };
}

/** A signed-in session straight in the database (two-factor already done); returns the cookie value. */
export async function createBenchSession(db: Db, userId: string): Promise<string> {
  const token = newSecret();
  const now = new Date();
  await db.kysely
    .insertInto('sessions')
    .values({
      token_hash: hashSecret(token),
      user_id: userId,
      stage: 'active',
      created_at: now,
      last_seen_at: now,
      expires_at: new Date(now.getTime() + 8 * 3_600_000),
    })
    .execute();
  return token;
}
