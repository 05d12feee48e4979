import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { CSRF_COOKIE } from '../../src/http/cookies.ts';
import { csrfTokens } from '../../src/http/csrf.ts';
import { FixedClock } from '../../src/platform/clock.ts';
import { TEST_SECRET, createTestApp, type TestApp } from '../support/app.ts';
import { createAuthority, createUser } from '../support/factories.ts';

/**
 * Concurrent wrong passwords must not get more passwords checked than the limits allow, and must
 * leave the account locked. Every real password check is counted here, through the module that
 * does them; while `hold` is set, a check of `heldPassword` waits for it, as a slow one would.
 */
const counted = vi.hoisted(() => ({
  checks: 0,
  held: 0,
  heldPassword: 'a password checked slowly',
  hold: null as Promise<void> | null,
}));
vi.mock('../../src/modules/accounts/passwords.ts', async (importOriginal) => {
  const real = await importOriginal<typeof import('../../src/modules/accounts/passwords.ts')>();
  return {
    ...real,
    verifyPassword: async (hash: string | null, password: string) => {
      counted.checks += 1;
      if (password === counted.heldPassword && counted.hold) {
        counted.held += 1;
        await counted.hold;
      }
      return real.verifyPassword(hash, password);
    },
  };
});

const ACCOUNT_LIMIT = 5;
const ADDRESS_LIMIT = 20;
const BURSTS = 20;
const BURST_SIZE = 50;

let t: TestApp;
const clock = new FixedClock(new Date());
beforeAll(async () => {
  t = await createTestApp({
    clock,
    env: {
      TRUST_PROXY: 'true',
      SIGNIN_MAX_FAILURES_PER_ACCOUNT: String(ACCOUNT_LIMIT),
      SIGNIN_MAX_FAILURES_PER_IP: String(ADDRESS_LIMIT),
    },
  });
});
afterAll(async () => {
  await t.close();
});

const CSRF_RAW = 'c'.repeat(43);

/** One sign-in form sent from a client address, as a browser behind the proxy would. */
function signInFrom(address: string, email: string, password: string) {
  return t.app.inject({
    method: 'POST',
    url: '/sign-in',
    headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-forwarded-for': address },
    cookies: { [CSRF_COOKIE]: CSRF_RAW },
    payload: new URLSearchParams({ email, password, _csrf: csrfTokens(TEST_SECRET).create(CSRF_RAW) }).toString(),
  });
}

async function lockedUntil(userId: string): Promise<Date | null> {
  const row = await t.db.kysely
    .selectFrom('users')
    .select('locked_until')
    .where('id', '=', userId)
    .executeTakeFirstOrThrow();
  return row.locked_until;
}

describe('sign-in throttling under concurrent attempts', () => {
  it(`checks at most ${ACCOUNT_LIMIT} passwords of ${BURST_SIZE} sent at once to one account from many addresses, and the account ends locked (${BURSTS} bursts)`, async () => {
    const authorityId = await createAuthority(t.db);
    const checkedPerBurst: number[] = [];
    for (let burst = 0; burst < BURSTS; burst++) {
      const user = await createUser(t.services, { role: 'link-officer', authorityId });
      const before = counted.checks;
      const responses = await Promise.all(
        Array.from({ length: BURST_SIZE }, (_, i) => signInFrom(`10.${burst}.${i}.1`, user.email, `wrong ${i}`)),
      );
      checkedPerBurst.push(counted.checks - before);
      expect(counted.checks - before, `burst ${burst}: passwords checked`).toBeLessThanOrEqual(ACCOUNT_LIMIT);
      expect(responses.every((r) => r.statusCode === 303 && r.headers.location === '/sign-in')).toBe(true);

      const until = await lockedUntil(user.id);
      expect(until, `burst ${burst}: the account is locked`).not.toBeNull();
      expect(until && until > clock.now(), `burst ${burst}: the lock is still running`).toBe(true);

      // The right password is refused, without checking it, while the lock lasts.
      const checksBeforeRight = counted.checks;
      const right = await signInFrom('10.255.0.1', user.email, user.password);
      expect(right.headers.location).toBe('/sign-in');
      expect(right.cookies.some((c) => c.name.endsWith('liaison_session') && c.value !== '')).toBe(false);
      expect(counted.checks).toBe(checksBeforeRight);
    }
    expect(checkedPerBurst).toHaveLength(BURSTS);
  }, 240_000);

  it(`checks at most ${ADDRESS_LIMIT} passwords of ${BURST_SIZE} sent at once from one address (${BURSTS} bursts)`, async () => {
    const checkedPerBurst: number[] = [];
    for (let burst = 0; burst < BURSTS; burst++) {
      const address = `192.0.2.${burst + 1}`;
      const before = counted.checks;
      await Promise.all(
        Array.from({ length: BURST_SIZE }, (_, i) =>
          signInFrom(address, `nobody-${burst}-${i}@example.test`, `wrong ${i}`),
        ),
      );
      checkedPerBurst.push(counted.checks - before);
      expect(counted.checks - before, `burst ${burst}: passwords checked`).toBeLessThanOrEqual(ADDRESS_LIMIT);
      // The address stays refused for a real account too, without a check.
      const user = await createUser(t.services, { role: 'link-officer', authorityId: await createAuthority(t.db) });
      const checksBeforeRight = counted.checks;
      const right = await signInFrom(address, user.email, user.password);
      expect(right.headers.location).toBe('/sign-in');
      expect(counted.checks).toBe(checksBeforeRight);
    }
    expect(checkedPerBurst).toHaveLength(BURSTS);
  }, 240_000);

  it('keeps the lock when a wrong password whose check began before it finishes after it', async () => {
    const user = await createUser(t.services, { role: 'link-officer', authorityId: await createAuthority(t.db) });
    let release: (() => void) | undefined;
    counted.hold = new Promise<void>((resolve) => {
      release = resolve;
    });
    const slow = signInFrom('203.0.113.1', user.email, counted.heldPassword);
    await vi.waitFor(() => expect(counted.held).toBe(1), { timeout: 60_000 });
    for (let i = 0; i < ACCOUNT_LIMIT; i++) await signInFrom(`203.0.113.${i + 2}`, user.email, `wrong ${i}`);
    const until = await lockedUntil(user.id);
    expect(until && until > clock.now()).toBe(true);

    counted.hold = null;
    release?.();
    expect((await slow).headers.location).toBe('/sign-in');
    expect(await lockedUntil(user.id)).toEqual(until);
    const right = await signInFrom('203.0.113.100', user.email, user.password);
    expect(right.headers.location).toBe('/sign-in');
    expect(right.cookies.some((c) => c.name.endsWith('liaison_session') && c.value !== '')).toBe(false);
  });

  it('lets the account in again once the lock has run out', async () => {
    const user = await createUser(t.services, { role: 'link-officer', authorityId: await createAuthority(t.db) });
    await Promise.all(
      Array.from({ length: BURST_SIZE }, (_, i) => signInFrom(`198.51.100.${i + 1}`, user.email, `wrong ${i}`)),
    );
    const until = await lockedUntil(user.id);
    expect(until && until > clock.now()).toBe(true);
    clock.advance(16 * 60_000);
    const ok = await signInFrom('198.51.100.200', user.email, user.password);
    expect(ok.headers.location).toBe('/home');
  });
});
