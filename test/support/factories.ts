import crypto from 'node:crypto';
import type { Services } from '../../src/composition.ts';
import { hashSecret, newSecret } from '../../src/modules/accounts/passwords.ts';
import { isStaffRole, type Role } from '../../src/modules/accounts/domain.ts';
import type { NewComplaint } from '../../src/modules/complaints/complaints.schemas.ts';
import type { Db } from '../../src/platform/db/database.ts';

/** Factories for real rows in the test database. */

let counter = 0;
const unique = () => `${Date.now().toString(36)}${(counter++).toString(36)}${crypto.randomBytes(2).toString('hex')}`;

export async function createAuthority(db: Db, values: { name?: string; kind?: string } = {}): Promise<string> {
  const row = await db.kysely
    .insertInto('authorities')
    .values({ name: values.name ?? `Test Borough Council ${unique()}`, kind: values.kind ?? 'district' })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

export interface TestUser {
  id: string;
  email: string;
  password: string;
  authorityId: string | null;
}

export async function createUser(
  services: Services,
  options: { role: Role; authorityId?: string | null; password?: string; email?: string; displayName?: string },
): Promise<TestUser> {
  const email = options.email ?? `user-${unique()}@example.test`;
  const password = options.password ?? 'correct horse battery staple';
  const authorityId = isStaffRole(options.role) ? null : (options.authorityId ?? null);
  const id = await services.accounts.createUser({
    email,
    displayName: options.displayName ?? `Test ${options.role}`,
    roles: [options.role],
    authorityId,
    password,
  });
  return { id, email, password, authorityId };
}

/** A signed-in session straight in the database (two-factor already done); returns the cookie value. */
export async function createSession(db: Db, userId: string, now = new Date()): Promise<string> {
  const token = newSecret();
  await db.kysely
    .insertInto('sessions')
    .values({
      token_hash: hashSecret(token),
      user_id: userId,
      stage: 'active',
      created_at: now,
      last_seen_at: now,
      expires_at: new Date(now.getTime() + 3_600_000),
    })
    .execute();
  return token;
}

/** A user of the given role with a live session: the usual start of an integration test. */
export async function signedInAs(db: Db, services: Services, role: Role, authorityId?: string) {
  const authority = isStaffRole(role) ? null : (authorityId ?? (await createAuthority(db)));
  const user = await createUser(services, { role, authorityId: authority });
  return { user, token: await createSession(db, user.id) };
}

/** What `complaints.receive` takes, for a complaint by telephone with only what is required; `overrides` change any of it. */
export function complaintInput(
  authorityId: string,
  overrides: Partial<Omit<NewComplaint, 'complainant'>> & { complainant?: Partial<NewComplaint['complainant']> } = {},
): NewComplaint {
  const { complainant, ...rest } = overrides;
  return {
    authorityId,
    serviceArea: 'housing',
    summary: 'Repairs not done',
    injustice: null,
    outcomeWanted: null,
    authorityProcessFinished: true,
    authorityFinalResponseOn: null,
    authorityComplainedOn: null,
    awareOn: null,
    urgent: [],
    consentToShare: true,
    representative: null,
    channel: 'phone',
    ...rest,
    complainant: {
      name: 'Robin Hale',
      email: null,
      phone: null,
      address: null,
      communicationNeeds: null,
      relationship: null,
      ...complainant,
    },
  };
}

/** A user's two-factor secret as stored (sealed, once set up). */
export async function storedTotpSecret(db: Db, userId: string): Promise<string | null> {
  const row = await db.kysely
    .selectFrom('users')
    .select('totp_secret')
    .where('id', '=', userId)
    .executeTakeFirstOrThrow();
  return row.totp_secret;
}
