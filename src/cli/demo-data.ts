import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { ROOT_DIR } from '../platform/paths.ts';
import { parse } from 'csv-parse/sync';
import type { Services } from '../composition.ts';
import { ROLE_NAMES, isStaffRole, type Role } from '../modules/accounts/domain.ts';
import { REGIONS, type AuthorityKind } from '../modules/authorities/domain.ts';
import { authoritiesDemoLoader } from '../modules/authorities/authorities.demo.ts';
import { linkOfficersDemoLoader } from '../modules/link-officers/link-officers.demo.ts';
import { complaintsDemoLoader } from '../modules/complaints/complaints.demo.ts';
import { enquiriesDemoLoader } from '../modules/enquiries/enquiries.demo.ts';
import { decisionsDemoLoader } from '../modules/decisions/decisions.demo.ts';
import { remediesDemoLoader } from '../modules/remedies/remedies.demo.ts';
import { publicReportsDemoLoader } from '../modules/public-reports/public-reports.demo.ts';
import type { Clock } from '../platform/clock.ts';
import type { Db } from '../platform/db/database.ts';

/**
 * Demo data for `npm run demo`: a handful of real English councils and one account per role.
 * Demo only: every account shares a published password and staff two-factor secrets are derived
 * from the email address, so anyone can sign in. Never load this into a live service.
 *
 * Modules add their own demo data by appending a loader to DEMO_LOADERS (at the end of this file).
 */

export const DEMO_PASSWORD = 'demo-password-1';

/** The councils of the demo, by mySociety code: one of each kind. */
const DEMO_AUTHORITY_CODES = ['SRY', 'CAB', 'CON', 'LDS', 'CMD', 'SWK'] as const;
/** The council the demo's authority users work for. */
export const DEMO_HOME_AUTHORITY = 'CMD';

export interface DemoAccount {
  role: Role;
  email: string;
  displayName: string;
}

export const DEMO_ACCOUNTS: readonly DemoAccount[] = [
  { role: 'administrator', email: 'administrator@ombudsman.example', displayName: 'Amara Okafor' },
  { role: 'intake-officer', email: 'intake@ombudsman.example', displayName: 'Ben Walsh' },
  { role: 'investigator', email: 'investigator@ombudsman.example', displayName: 'Chloe Hughes' },
  { role: 'team-coordinator', email: 'coordinator@ombudsman.example', displayName: 'Dev Patel' },
  { role: 'casework-manager', email: 'manager@ombudsman.example', displayName: 'Eleanor Price' },
  { role: 'relationship-lead', email: 'relationships@ombudsman.example', displayName: 'Farid Haddad' },
  { role: 'link-officer', email: 'link-officer@camden.example', displayName: 'Grace Mensah' },
  { role: 'delegate', email: 'delegate@camden.example', displayName: 'Harry Lewis' },
  { role: 'senior-officer', email: 'senior-officer@camden.example', displayName: 'Isla Campbell' },
];

export const findDemoAccount = (email: string): DemoAccount | undefined =>
  DEMO_ACCOUNTS.find((a) => a.email.toLowerCase() === email.trim().toLowerCase());

/** Staff must use two-factor authentication: demo staff accounts come with it already set up. */
export const demoAccountHasTwoFactor = (account: DemoAccount): boolean => isStaffRole(account.role);

/**
 * The demo account's authenticator secret (base32, as authenticator apps take it). Derived from the
 * email address so the code can be worked out without opening the database (`demo:code`).
 */
export function demoTotpSecret(email: string): string {
  const bytes = crypto.createHash('sha256').update(`liaison-demo-totp:${email.toLowerCase()}`).digest().subarray(0, 20);
  return base32(bytes);
}

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
function base32(bytes: Uint8Array): string {
  let bits = 0;
  let value = 0;
  let out = '';
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += BASE32.charAt((value >>> (bits - 5)) & 31);
      bits -= 5;
    }
  }
  if (bits > 0) out += BASE32.charAt((value << (5 - bits)) & 31);
  return out;
}

// ---------------------------------------------------------------------------------------------
// The reference list of English councils (mySociety, CC BY 4.0; see data/README.md).

export const AUTHORITIES_CSV = path.join(ROOT_DIR, 'data/authorities-england.csv');

export interface ReferenceAuthority {
  code: string;
  name: string;
  gssCode: string;
  region: string | null;
  kind: AuthorityKind;
}

const KIND_BY_TYPE: Record<string, AuthorityKind> = {
  CTY: 'county',
  NMD: 'district',
  UA: 'unitary',
  MD: 'metropolitan',
  LBO: 'london-borough',
};

/** Every council in data/authorities-england.csv, in name order. */
export function readReferenceAuthorities(file = AUTHORITIES_CSV): ReferenceAuthority[] {
  const rows = parse<Record<string, string>>(fs.readFileSync(file, 'utf8'), {
    columns: true,
    skip_empty_lines: true,
  });
  return rows.flatMap((row) => {
    const kind = KIND_BY_TYPE[row['local-authority-type'] ?? ''];
    const code = row['local-authority-code'];
    const name = row['official-name'];
    const gssCode = row['gss-code'];
    if (!kind || !code || !name || !gssCode) return [];
    const region = REGIONS.find((r) => r.toLowerCase() === (row.region ?? '').toLowerCase()) ?? null;
    return [{ code, name, gssCode, region, kind }];
  });
}

// ---------------------------------------------------------------------------------------------
// Loaders

export interface DemoContext {
  db: Db;
  services: Services;
  clock: Clock;
  /** Ids of the demo councils, by mySociety code; filled by the authorities loader. */
  authorityIds: Map<string, string>;
  /** Ids of the demo accounts, by role; filled by the accounts loader. */
  userIds: Map<Role, string>;
}

export interface DemoLoader {
  name: string;
  load(ctx: DemoContext): Promise<void>;
}

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
