import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import type { Services } from '../services.ts';
import { isStaffRole, type Role } from '../modules/accounts/domain.ts';
import { REGIONS, servicesRunBy, type AuthorityKind, type ServiceArea } from '../modules/authorities/domain.ts';
import type { Clock } from '../platform/clock.ts';
import type { Db } from '../platform/db/database.ts';
import { ROOT_DIR } from '../platform/paths.ts';

/**
 * Demo data for `npm run demo`: a handful of real English councils and one account per role.
 * Demo only: every account shares a published password and staff two-factor secrets are derived
 * from the email address, so anyone can sign in. Never load this into a live service.
 *
 * Modules add their own demo data with loaders in their manifest's `demo` (`demo-data.ts` runs them); the
 * accounts, councils and cases they share are here, in a file that imports no module's loader.
 */

export const DEMO_PASSWORD = 'demo-password-1';

/** The councils of the demo, by mySociety code: one of each kind. */
export const DEMO_AUTHORITY_CODES = ['SRY', 'CAB', 'CON', 'LDS', 'CMD', 'SWK'] as const;
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
// The demo's cases: one story for each service area, told the same way by every loader.

/** What a demo complaint is about, and what the ombudsman's enquiries, drafts and reports say of it. */
export interface DemoCase {
  summary: string;
  injustice: string;
  /** The enquiry's three questions. */
  questions: readonly [string, string, string];
  /** What the draft decision finds. */
  findings: string;
  /** The authority's comment on the first draft, and what the revised draft then finds. */
  authorityComment: string;
  revisedFindings: string;
  /** The recommendation beyond an apology and a payment, and the same as a service improvement. */
  recommendation: string;
  improvement: string;
  /** The not-upheld decision's statement. */
  noFault: string;
}

export const DEMO_CASES: Record<ServiceArea, DemoCase> = {
  housing: {
    summary: 'The council took five months to repair damp and mould in my flat.',
    injustice: 'My child’s asthma got worse and I had to replace damaged furniture.',
    questions: [
      'Please explain why the damp and mould reported in March were not repaired within the council’s published timescales.',
      'What contact did the council have with the complainant about the damp between April and September?',
      'Please send the repairs log and the case notes for the property.',
    ],
    findings:
      'The council did not inspect the property when the damp was first reported.\nIt did not keep the family informed.',
    authorityComment: 'The council inspected the property in May: the inspection record is attached to our response.',
    revisedFindings:
      'The council inspected the damp in May, but did not act on the inspection.\nIt did not keep the family informed.',
    recommendation: 'review how repairs for damp are tracked',
    improvement: 'Review how damp reports are logged and tracked, and tell us what changed.',
    noFault: 'The council acted without fault: it inspected the damp, repaired it and kept the family informed.',
  },
  'adult-social-care': {
    summary: 'The council stopped my mother’s care package without a new assessment.',
    injustice: 'I had to give up work to care for her.',
    questions: [
      'Please explain why the care package was ended without a new assessment of needs.',
      'What did the council tell the complainant’s mother and family before the care package stopped?',
      'Please send the last two care assessments, the care and support plan and the case notes.',
    ],
    findings:
      'The council ended the care package without reassessing her needs, as the Care Act requires.\nIt did not tell the family first.',
    authorityComment: 'A social worker reviewed the care package by telephone in June: the notes are attached.',
    revisedFindings:
      'A social worker reviewed the care package by telephone in June, but this was not an assessment of needs.\nThe council did not tell the family first.',
    recommendation: 'reassess her care and support needs within 28 days',
    improvement: 'Remind staff that a care package is not reduced or ended without a new assessment.',
    noFault: 'The council acted without fault: it reassessed the care package before changing it and told the family.',
  },
  'childrens-services': {
    summary: 'The council stopped the short breaks my disabled daughter had without telling us why.',
    injustice: 'We lost the only rest we had and my daughter lost her weekly activities.',
    questions: [
      'Please explain why the short breaks stopped, and who decided it.',
      'What did the council tell the family about the short breaks before they stopped?',
      'Please send the child in need assessment and the short breaks decision record.',
    ],
    findings:
      'The council stopped the short breaks without reviewing the child in need assessment.\nIt did not give the family reasons.',
    authorityComment: 'The short breaks were reviewed at a panel in April: the minutes are attached.',
    revisedFindings:
      'A panel reviewed the short breaks in April, but did not consider the assessment.\nThe council did not give the family reasons.',
    recommendation: 'restart the short breaks until a new assessment is done',
    improvement: 'Make sure every short breaks decision gives its reasons in writing to the family.',
    noFault: 'The council acted without fault: it reviewed the short breaks properly and told the family why.',
  },
  education: {
    summary: 'The council refused school transport for my son, who has an EHC plan.',
    injustice: 'He missed three weeks of school.',
    questions: [
      'Please explain why school transport was refused when the EHC plan names a school beyond walking distance.',
      'How did the council consider the complainant’s appeal against the school transport decision?',
      'Please send the school transport application, the decision letter and the appeal papers.',
    ],
    findings:
      'The council did not consider the EHC plan when it refused school transport.\nIt took eight weeks to hear the appeal.',
    authorityComment: 'The school transport panel did see the EHC plan: its minutes are attached to our response.',
    revisedFindings:
      'The school transport panel saw the EHC plan but did not say why it made no difference.\nThe appeal took eight weeks.',
    recommendation: 'provide school transport and review its school transport appeals',
    improvement: 'Review how school transport appeals are timetabled, and tell us what changed.',
    noFault: 'The council acted without fault: it considered the EHC plan and the school transport policy.',
  },
  planning: {
    summary: 'The council granted planning permission for an extension next door without considering loss of light.',
    injustice: 'Our kitchen is now dark for most of the day.',
    questions: [
      'Please explain how the planning officer considered loss of light to the neighbouring kitchen.',
      'Did the planning officer visit the site or the complainant’s home before deciding the application?',
      'Please send the planning officer’s report and the site visit notes.',
    ],
    findings:
      'The planning officer’s report does not mention the neighbouring kitchen or loss of light.\nThe council cannot show it considered it.',
    authorityComment: 'The planning officer visited the site: the photographs are attached to our response.',
    revisedFindings:
      'The planning officer visited the site, but the report still does not weigh the loss of light.\nThe council cannot show it considered it.',
    recommendation: 'remind planning officers to record how they weigh loss of light',
    improvement: 'Remind planning officers to record how they weigh loss of light, and tell us how.',
    noFault: 'The council acted without fault: the planning officer weighed the loss of light and recorded why.',
  },
  'highways-transport': {
    summary: 'The council refused my claim for a tyre burst by a pothole it had been told about.',
    injustice: 'I paid £240 for a new tyre and wheel.',
    questions: [
      'Please explain when the pothole was first reported and when it was inspected.',
      'How did the council decide the complainant’s claim for damage caused by the pothole?',
      'Please send the highway inspection log for the road and the claim file.',
    ],
    findings:
      'The pothole was reported twice before the damage, and the council did not inspect it within its own timescales.\nIt refused the claim without saying why.',
    authorityComment:
      'The pothole was inspected in February and was below our intervention level: the record is attached.',
    revisedFindings:
      'The pothole was inspected in February, but not after the second report.\nThe council refused the claim without saying why.',
    recommendation: 'reconsider the claim for the pothole damage',
    improvement: 'Review how repeated pothole reports trigger a new inspection, and tell us what changed.',
    noFault:
      'The council acted without fault: it inspected the pothole in time and explained its decision on the claim.',
  },
  'benefits-tax': {
    summary: 'The council took council tax enforcement action while my appeal was pending.',
    injustice: 'I paid bailiff fees I should not have had to pay.',
    questions: [
      'Please explain why council tax enforcement continued while the complainant’s appeal was pending.',
      'When did the council receive the appeal, and when did it tell the enforcement agents?',
      'Please send the council tax account notes and the instructions to the enforcement agents.',
    ],
    findings:
      'The council passed the council tax debt to enforcement agents after it had received the appeal.\nIt did not stop enforcement when told.',
    authorityComment:
      'The council tax appeal reached us by post a week after the debt was passed on: the envelope is attached.',
    revisedFindings:
      'The council tax appeal arrived after the debt was passed on, but the council did not stop enforcement when it arrived.\nThe fees followed.',
    recommendation: 'refund the enforcement fees and hold council tax recovery while an appeal is pending',
    improvement: 'Make sure council tax recovery is held while an appeal is pending, and tell us how.',
    noFault: 'The council acted without fault: it held council tax enforcement as soon as the appeal arrived.',
  },
  'environmental-services': {
    summary: 'Missed bin collections for two months despite repeated reports.',
    injustice: 'Rubbish attracted rats to our garden.',
    questions: [
      'Please explain why the bin collections at the complainant’s address were missed for two months.',
      'What did the council do after each report of a missed bin collection?',
      'Please send the collection crew’s log and the reports of missed bin collections for the street.',
    ],
    findings:
      'The council missed the bin collection eight times and did not act on the complainant’s reports.\nIt did not put the address on an assisted list.',
    authorityComment: 'The crew could not reach the bins twice because of parked cars: the crew’s notes are attached.',
    revisedFindings:
      'Parked cars stopped two bin collections, but the council missed six more and did not act on the reports.\nIt did not put the address on an assisted list.',
    recommendation: 'monitor the bin collections at the address for three months',
    improvement: 'Review how repeated reports of a missed bin collection are escalated, and tell us what changed.',
    noFault: 'The council acted without fault: the bin collections were made and the reports were answered.',
  },
  'corporate-other': {
    summary: 'The council took eight months to answer my request for my records.',
    injustice: 'I could not prepare my appeal without my records.',
    questions: [
      'Please explain why the request for records took eight months to answer.',
      'What did the council tell the complainant while the request for records was outstanding?',
      'Please send the log of the request for records and the correspondence about it.',
    ],
    findings:
      'The council took eight months to send the records, far beyond the month the law allows.\nIt did not keep the complainant informed.',
    authorityComment: 'Part of the records were sent in the second month: a copy of the letter is attached.',
    revisedFindings:
      'Part of the records were sent in the second month, but the rest took eight months.\nThe council did not keep the complainant informed.',
    recommendation: 'review how requests for records are tracked',
    improvement: 'Review how requests for records are logged and tracked, and tell us what changed.',
    noFault: 'The council acted without fault: it sent the records in time and kept the complainant informed.',
  },
};

/** The order the demo complaints take their stories in. */
const DEMO_CASE_ORDER: readonly ServiceArea[] = [
  'housing',
  'adult-social-care',
  'education',
  'planning',
  'benefits-tax',
  'environmental-services',
  'childrens-services',
  'highways-transport',
];

/** The service areas demo complaints about an authority of `kind` take their stories from, in order. */
export const demoCaseAreas = (kind: AuthorityKind): ServiceArea[] => {
  const runs = servicesRunBy(kind);
  const areas = DEMO_CASE_ORDER.filter((a) => runs.includes(a));
  return areas.length > 0 ? areas : ['corporate-other'];
};

/** The demo case of a complaint's service area, as the database holds it. */
export const demoCaseFor = (serviceArea: string): DemoCase =>
  (DEMO_CASES as Record<string, DemoCase | undefined>)[serviceArea] ?? DEMO_CASES['corporate-other'];

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
