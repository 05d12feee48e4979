import { ROLE_NAMES, isStaffRole } from '../modules/accounts/domain.ts';
import { MODULES } from '../modules/index.ts';
import {
  DEMO_ACCOUNTS,
  DEMO_AUTHORITY_CODES,
  DEMO_HOME_AUTHORITY,
  DEMO_PASSWORD,
  demoAccountHasTwoFactor,
  demoTotpSecret,
  readReferenceAuthorities,
  type DemoContext,
  type DemoLoader,
} from './demo-fixtures.ts';
import { DemoRepository } from './demo.repository.ts';

/**
 * The demo's loaders, run in order on an empty database by `npm run demo`. What they share (the
 * accounts, the councils, the cases) is in `demo-fixtures.ts`.
 */

const authoritiesLoader: DemoLoader = {
  name: 'councils',
  load: async (ctx) => {
    const wanted = new Set<string>(DEMO_AUTHORITY_CODES);
    const now = ctx.clock.now();
    const demo = new DemoRepository(ctx.db.kysely);
    for (const a of readReferenceAuthorities().filter((r) => wanted.has(r.code))) {
      const id = await demo.insertAuthority({
        name: a.name,
        kind: a.kind,
        reference: a.gssCode,
        region: a.region,
        created_at: now,
        updated_at: now,
      });
      ctx.authorityIds.set(a.code, id);
    }
  },
};

const accountsLoader: DemoLoader = {
  name: 'accounts',
  load: async (ctx) => {
    const home = ctx.authorityIds.get(DEMO_HOME_AUTHORITY) ?? null;
    for (const account of DEMO_ACCOUNTS) {
      const staff = isStaffRole(account.role);
      const id = await ctx.services.accounts.createUser({
        email: account.email,
        displayName: account.displayName,
        roles: [account.role],
        authorityId: staff ? null : home,
        password: DEMO_PASSWORD,
      });
      if (demoAccountHasTwoFactor(account)) {
        await ctx.services.accounts.turnOnTwoFactor(id, demoTotpSecret(account.email));
      }
      ctx.userIds.set(account.role, id);
    }
  },
};

/**
 * Every demo loader, run in this order on an empty database: the councils and accounts every
 * module's demo data is made by, then each module's loaders (their manifests' `demo`) in the order
 * of the module list, so a module can use what the modules above it made.
 */
export const DEMO_LOADERS: DemoLoader[] = [authoritiesLoader, accountsLoader, ...MODULES.flatMap((m) => m.demo ?? [])];

export async function loadDemoData(ctx: Omit<DemoContext, 'authorityIds' | 'userIds'>): Promise<void> {
  const full: DemoContext = { ...ctx, authorityIds: new Map(), userIds: new Map() };
  for (const loader of DEMO_LOADERS) await loader.load(full);
}

/** The sign-in table printed when the demo starts. */
export function demoSignInTable(): string {
  const rows = DEMO_ACCOUNTS.map((a) => [
    ROLE_NAMES[a.role],
    a.email,
    demoAccountHasTwoFactor(a) ? demoTotpSecret(a.email) : '(not needed)',
  ]);
  const header = ['Role', 'Email', 'Authenticator secret'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}
