import { ROLE_NAMES, isStaffRole } from '../modules/accounts/domain.ts';
import { authoritiesDemoLoader } from '../modules/authorities/authorities.demo.ts';
import { linkOfficersDemoLoader } from '../modules/link-officers/link-officers.demo.ts';
import { complaintsDemoLoader } from '../modules/complaints/complaints.demo.ts';
import { enquiriesDemoLoader } from '../modules/enquiries/enquiries.demo.ts';
import { decisionsDemoLoader } from '../modules/decisions/decisions.demo.ts';
import { remediesDemoLoader } from '../modules/remedies/remedies.demo.ts';
import { publicReportsDemoLoader } from '../modules/public-reports/public-reports.demo.ts';
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

/**
 * The demo's loaders, run in order on an empty database by `npm run demo`. What they share (the
 * accounts, the councils, the cases) is in `demo-fixtures.ts`.
 */

const authoritiesLoader: DemoLoader = {
  name: 'councils',
  load: async (ctx) => {
    const wanted = new Set<string>(DEMO_AUTHORITY_CODES);
    const now = ctx.clock.now();
    for (const a of readReferenceAuthorities().filter((r) => wanted.has(r.code))) {
      const row = await ctx.db.kysely
        .insertInto('authorities')
        .values({
          name: a.name,
          kind: a.kind,
          reference: a.gssCode,
          region: a.region,
          created_at: now,
          updated_at: now,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      ctx.authorityIds.set(a.code, row.id);
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
 * Every demo loader, run in this order on an empty database. A module with demo data of its own
 * (link officer records, senior officers, complaints…) appends its loader here; it can use the
 * councils and accounts made by the loaders before it through the context.
 */
export const DEMO_LOADERS: DemoLoader[] = [
  authoritiesLoader,
  accountsLoader,
  authoritiesDemoLoader,
  linkOfficersDemoLoader,
  complaintsDemoLoader,
  // After the complaints loader: enquiries on the complaints under investigation.
  enquiriesDemoLoader,
  // After enquiries: draft and final decisions on cases under investigation.
  decisionsDemoLoader,
  // After decisions: remedies agreed, complied with, late and returned.
  remediesDemoLoader,
  // After remedies: a draft public report and a final one with its statutory steps running.
  publicReportsDemoLoader,
];

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
