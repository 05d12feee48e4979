import { z } from 'zod';
import {
  AUTHORITY_KINDS,
  OFFICER_ROLES,
  REGIONS,
  SERVICE_AREAS,
  kindFrom,
  regionFrom,
  type AuthorityKind,
  type Region,
} from './domain.ts';

/** Everything an authority record holds, as the service takes it from forms, the API and imports. */
export interface OfficerInput {
  title: string | null;
  name: string;
  jobTitle: string;
  email: string;
}

export interface AuthorityInput {
  name: string;
  kind: AuthorityKind;
  reference: string | null;
  address: string | null;
  region: Region | null;
  genericInbox: string | null;
  chiefExecutive: OfficerInput;
  /** Null removes the monitoring officer. */
  monitoringOfficer: OfficerInput | null;
  /** The leader of the council and the chair of scrutiny: null removes them, left out leaves them as they are. */
  leader?: OfficerInput | null;
  scrutinyChair?: OfficerInput | null;
}

export const EMAIL_FORMAT = 'in the correct format, like name@example.com';

/** Text that must be given: trimmed, with a GOV.UK message when empty or too long. */
export const requiredText = (what: string, label: string, max: number) =>
  z
    .string({ error: `Enter ${what}` })
    .trim()
    .min(1, `Enter ${what}`)
    .max(max, `${label} must be ${max.toLocaleString('en-GB')} characters or fewer`);

/** Text that may be left empty: trimmed, and empty becomes null. */
export const optionalText = (label: string, max: number) =>
  z
    .string()
    .trim()
    .max(max, `${label} must be ${max.toLocaleString('en-GB')} characters or fewer`)
    .optional()
    .nullable()
    .transform((v) => (v ? v : null));

export const requiredEmail = (what: string) =>
  z
    .string({ error: `Enter ${what}` })
    .trim()
    .min(1, `Enter ${what}`)
    .max(320, 'Email address must be 320 characters or fewer')
    .pipe(z.email(`Enter ${what} ${EMAIL_FORMAT}`));

export const optionalEmail = (what: string) =>
  z
    .string()
    .trim()
    .max(320, 'Email address must be 320 characters or fewer')
    .optional()
    .nullable()
    .transform((v) => (v ? v : null))
    .pipe(z.email(`Enter ${what} ${EMAIL_FORMAT}`).nullable());

export const kindField = z.string({ error: 'Select the kind of authority' }).transform((v, ctx) => {
  const kind = kindFrom(v);
  if (!kind) {
    ctx.addIssue({
      code: 'custom',
      message: v.trim() ? 'Select a kind of authority from the list' : 'Select the kind of authority',
    });
    return z.NEVER;
  }
  return kind;
});

export const regionField = z
  .string()
  .optional()
  .nullable()
  .transform((v, ctx) => {
    if (!v || !v.trim()) return null;
    const region = regionFrom(v);
    if (!region) {
      ctx.addIssue({ code: 'custom', message: `Select a region from the list: ${REGIONS.join(', ')}` });
      return z.NEVER;
    }
    return region;
  });

export const NAME_MAX = 200;
export const JOB_TITLE_MAX = 200;

const authorityFields = {
  name: requiredText('the authority’s name', 'Name', NAME_MAX),
  kind: kindField,
  reference: optionalText('Reference', 50),
  address: optionalText('Address', 500),
  region: regionField,
  genericInbox: optionalEmail('the generic inbox'),
};

/** The chief executive and monitoring officer as flat form fields, shared by the staff and portal forms. */
const officerFormFields = {
  ceTitle: optionalText('Title', 50),
  ceName: requiredText('the chief executive’s name', 'Name', NAME_MAX),
  ceJobTitle: requiredText('the chief executive’s job title', 'Job title', JOB_TITLE_MAX),
  ceEmail: requiredEmail('the chief executive’s email address'),
  moTitle: optionalText('Title', 50),
  moName: optionalText('Name', NAME_MAX),
  moJobTitle: optionalText('Job title', JOB_TITLE_MAX),
  moEmail: optionalEmail('the monitoring officer’s email address'),
  leaderTitle: optionalText('Title', 50),
  leaderName: optionalText('Name', NAME_MAX),
  leaderJobTitle: optionalText('Job title', JOB_TITLE_MAX),
  leaderEmail: optionalEmail('the leader’s email address'),
  scrutinyTitle: optionalText('Title', 50),
  scrutinyName: optionalText('Name', NAME_MAX),
  scrutinyJobTitle: optionalText('Job title', JOB_TITLE_MAX),
  scrutinyEmail: optionalEmail('the chair of scrutiny’s email address'),
};

interface OfficerFormValues {
  ceTitle: string | null;
  ceName: string;
  ceJobTitle: string;
  ceEmail: string;
  moTitle: string | null;
  moName: string | null;
  moJobTitle: string | null;
  moEmail: string | null;
  leaderTitle: string | null;
  leaderName: string | null;
  leaderJobTitle: string | null;
  leaderEmail: string | null;
  scrutinyTitle: string | null;
  scrutinyName: string | null;
  scrutinyJobTitle: string | null;
  scrutinyEmail: string | null;
}

/** The optional officers' field prefixes, each with how its messages name them. */
const OPTIONAL_OFFICERS = [
  ['mo', 'the monitoring officer’s'],
  ['leader', 'the leader’s'],
  ['scrutiny', 'the chair of scrutiny’s'],
] as const;
type OptionalPrefix = (typeof OPTIONAL_OFFICERS)[number][0];

const officerOf = (f: OfficerFormValues, p: OptionalPrefix) => ({
  title: f[`${p}Title`],
  name: f[`${p}Name`],
  jobTitle: f[`${p}JobTitle`],
  email: f[`${p}Email`],
});

/** An optional officer is all or nothing: once one field is given, the name, job title and email are needed. */
function refineOptionalOfficers(f: OfficerFormValues, ctx: z.RefinementCtx) {
  for (const [p, whose] of OPTIONAL_OFFICERS) {
    const o = officerOf(f, p);
    if (!(o.name || o.jobTitle || o.email || o.title)) continue;
    if (!o.name) ctx.addIssue({ code: 'custom', path: [`${p}Name`], message: `Enter ${whose} name` });
    if (!o.jobTitle) ctx.addIssue({ code: 'custom', path: [`${p}JobTitle`], message: `Enter ${whose} job title` });
    if (!o.email) ctx.addIssue({ code: 'custom', path: [`${p}Email`], message: `Enter ${whose} email address` });
  }
}

const optionalOfficer = (f: OfficerFormValues, p: OptionalPrefix): OfficerInput | null => {
  const o = officerOf(f, p);
  return o.name && o.jobTitle && o.email
    ? { title: o.title, name: o.name, jobTitle: o.jobTitle, email: o.email }
    : null;
};

const officersFrom = (
  f: OfficerFormValues,
): Pick<AuthorityInput, 'chiefExecutive' | 'monitoringOfficer' | 'leader' | 'scrutinyChair'> => ({
  chiefExecutive: { title: f.ceTitle, name: f.ceName, jobTitle: f.ceJobTitle, email: f.ceEmail },
  monitoringOfficer: optionalOfficer(f, 'mo'),
  leader: optionalOfficer(f, 'leader'),
  scrutinyChair: optionalOfficer(f, 'scrutiny'),
});

/** The authority form: flat fields, so each message lands beside its field. */
export const authorityForm = z
  .object({ ...authorityFields, ...officerFormFields })
  .superRefine(refineOptionalOfficers)
  .transform((f): AuthorityInput => ({
    name: f.name,
    kind: f.kind,
    reference: f.reference,
    address: f.address,
    region: f.region,
    genericInbox: f.genericInbox,
    ...officersFrom(f),
  }));

/** What an authority may change about itself: its contacts, never the ombudsman's directory record. */
export type AuthorityContactsInput = Pick<
  AuthorityInput,
  'address' | 'genericInbox' | 'chiefExecutive' | 'monitoringOfficer' | 'leader' | 'scrutinyChair'
>;

/** The portal's contacts form: the authority form without the directory fields, with the same messages. */
export const contactsForm = z
  .object({ address: authorityFields.address, genericInbox: authorityFields.genericInbox, ...officerFormFields })
  .superRefine(refineOptionalOfficers)
  .transform((f): AuthorityContactsInput => ({ address: f.address, genericInbox: f.genericInbox, ...officersFrom(f) }));

export const headOfServiceForm = z.object({
  serviceArea: z.enum(SERVICE_AREAS, { error: 'Select the service area' }),
  title: optionalText('Title', 50),
  name: requiredText('the head of service’s name', 'Name', NAME_MAX),
  jobTitle: requiredText('the head of service’s job title', 'Job title', JOB_TITLE_MAX),
  email: requiredEmail('the head of service’s email address'),
});
export type HeadOfServiceInput = z.infer<typeof headOfServiceForm>;

/** Words typed to search the directory for: trimmed, at most 200 characters, '' when there are none. */
const searchWords = z
  .string()
  .trim()
  .max(200)
  .optional()
  .catch(undefined)
  .transform((v) => v ?? '');

/** The directory's search and filters, from the query string of the page, the export and the API. */
export const directoryQuery = z.object({
  q: searchWords,
  kind: z.enum(AUTHORITY_KINDS).optional().catch(undefined),
  region: z.enum(REGIONS).optional().catch(undefined),
  status: z.enum(['active', 'closed']).optional().catch(undefined),
  cursor: z.string().max(1000).optional().catch(undefined),
});
export type DirectoryQuery = z.infer<typeof directoryQuery>;

/** The query of a page with an authority field (`AuthoritiesService.picker`): the words searched for, and an authority chosen beforehand. */
export const pickerQuery = z.object({
  q: searchWords,
  authority: z.uuid().optional().catch(undefined),
});

/** Where a form with an authority field goes back to with its errors: its page, with the words it had searched for. */
export function pickerBack(page: string, body: unknown): string {
  const q = body && typeof body === 'object' ? (body as Record<string, unknown>).q : undefined;
  return typeof q === 'string' && q.trim() !== ''
    ? `${page}?${new URLSearchParams({ q: q.trim().slice(0, 200) }).toString()}`
    : page;
}

/** An officer in the JSON API. */
const apiOfficer = (role: string) =>
  z.object({
    title: optionalText('Title', 50),
    name: requiredText(`the ${role}’s name`, 'Name', NAME_MAX),
    jobTitle: requiredText(`the ${role}’s job title`, 'Job title', JOB_TITLE_MAX),
    email: requiredEmail(`the ${role}’s email address`),
  });

/** Heads of service in the JSON API: at most one for each service area. */
const apiHeadsOfService = z
  .array(headOfServiceForm)
  .max(SERVICE_AREAS.length)
  .superRefine((heads, ctx) => {
    heads.forEach((h, i) => {
      if (heads.findIndex((other) => other.serviceArea === h.serviceArea) !== i)
        ctx.addIssue({
          code: 'custom',
          path: [i, 'serviceArea'],
          message: 'Each service area can have one head of service',
        });
    });
  });

export const apiCreateAuthority = z.object({
  ...authorityFields,
  chiefExecutive: apiOfficer('chief executive'),
  monitoringOfficer: apiOfficer('monitoring officer').optional().nullable(),
  leader: apiOfficer('leader of the council').optional().nullable(),
  scrutinyChair: apiOfficer('chair of scrutiny').optional().nullable(),
  headsOfService: apiHeadsOfService.optional().transform((v) => v ?? []),
});

export const apiUpdateAuthority = z.object({
  name: authorityFields.name.optional(),
  kind: kindField.optional(),
  reference: authorityFields.reference,
  address: authorityFields.address,
  region: authorityFields.region,
  genericInbox: authorityFields.genericInbox,
  chiefExecutive: apiOfficer('chief executive').optional(),
  monitoringOfficer: apiOfficer('monitoring officer').optional().nullable(),
  leader: apiOfficer('leader of the council').optional().nullable(),
  scrutinyChair: apiOfficer('chair of scrutiny').optional().nullable(),
  headsOfService: apiHeadsOfService
    .optional()
    .describe(
      'The whole set of heads of service: a service area left out loses its head of service, and [] removes them all',
    ),
  active: z
    .boolean()
    .optional()
    .describe('false closes the authority (it no longer exists or is no longer in jurisdiction); true reopens it'),
});

const officerResponse = z.object({
  id: z.string(),
  role: z.enum(OFFICER_ROLES),
  serviceArea: z.enum(SERVICE_AREAS).nullable(),
  title: z.string().nullable(),
  name: z.string(),
  jobTitle: z.string(),
  email: z.string(),
  emailFailingSince: z
    .string()
    .nullable()
    .describe('When mail to this address started to bounce (a permanent failure); null when it does not'),
});

/** An authority as the API returns it, with its senior officers. */
export const authorityResponse = z.object({
  id: z.string(),
  name: z.string(),
  kind: z.enum(AUTHORITY_KINDS),
  reference: z.string().nullable(),
  address: z.string().nullable(),
  region: z.string().nullable(),
  genericInbox: z.string().nullable(),
  genericInboxFailingSince: z
    .string()
    .nullable()
    .describe('When mail to the generic inbox started to bounce (a permanent failure); null when it does not'),
  active: z.boolean(),
  closedAt: z.string().nullable(),
  chiefExecutive: officerResponse.nullable(),
  monitoringOfficer: officerResponse.nullable(),
  leader: officerResponse.nullable(),
  scrutinyChair: officerResponse.nullable(),
  headsOfService: z.array(officerResponse),
});

export const authorityListResponse = z.object({
  items: z.array(
    z.object({
      id: z.string(),
      name: z.string(),
      kind: z.enum(AUTHORITY_KINDS),
      reference: z.string().nullable(),
      region: z.string().nullable(),
      active: z.boolean(),
    }),
  ),
  count: z.number().int().describe('How many authorities match, across all pages'),
  nextCursor: z.string().nullable(),
});

export const authorityIdParams = z.object({ id: z.string().describe('The authority’s id') });
