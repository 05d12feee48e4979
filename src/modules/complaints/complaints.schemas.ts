import { z } from 'zod';
import { calendarDate } from '../../platform/input.ts';
import { pageQuery } from '../../platform/pagination.ts';
import { SERVICE_AREAS } from '../authorities/domain.ts';
import { parseUkPhone } from '../link-officers/domain.ts';
import { ASSESSMENT_OUTCOMES, STATUSES, type ComplaintStatus } from './domain.ts';
import { URGENT_KEYS } from './rules.ts';

/** Schemas for complaint forms, the public form's questions and list queries; the API's are in complaints.api.schemas.ts. */

const trimmed = (max: number) =>
  z
    .string()
    .trim()
    .max(max, `Must be ${max.toLocaleString('en-GB')} characters or fewer`);
const required = (message: string, max = 10_000) => trimmed(max).min(1, message);
const optionalText = (max = 10_000) =>
  trimmed(max)
    .optional()
    .transform((v) => (v === undefined || v === '' ? null : v));

const uuid = (message: string) =>
  z
    .string()
    .trim()
    .regex(/^[0-9a-f-]{36}$/i, message);
const isoDate = (message: string) => calendarDate(message);

export const serviceArea = z.enum(SERVICE_AREAS, { message: 'Select the service the complaint is about' });
const email = (message: string) => z.string().trim().max(320).pipe(z.email({ message }));

export const urgentKey = z.enum(Object.keys(URGENT_KEYS) as [string, ...string[]]);
/** Checkbox values arrive as one string or a list. */
const listOf = <S extends z.ZodType>(item: S) =>
  z.preprocess(
    (v: unknown): unknown[] => (v === undefined || v === '' ? [] : Array.isArray(v) ? (v as unknown[]) : [v]),
    z.array(item),
  );

// The complaint itself, as every channel supplies it ---------------------------------------------------

export const partyInput = z.object({
  name: required('Enter the full name', 200),
  email: z.union([email('Enter an email address in the correct format, like name@example.com'), z.null()]),
  phone: z.string().trim().max(40).nullable(),
  address: z.string().trim().max(1000).nullable(),
  communicationNeeds: z.string().trim().max(2000).nullable(),
  relationship: z.string().trim().max(200).nullable(),
});
export type PartyInput = z.infer<typeof partyInput>;

export interface NewComplaint {
  authorityId: string;
  serviceArea: (typeof SERVICE_AREAS)[number];
  summary: string;
  injustice: string | null;
  outcomeWanted: string | null;
  authorityProcessFinished: boolean;
  authorityFinalResponseOn: string | null;
  authorityComplainedOn: string | null;
  awareOn: string | null;
  urgent: string[];
  consentToShare: boolean;
  complainant: PartyInput;
  representative: PartyInput | null;
  channel: 'online' | 'phone' | 'letter' | 'email' | 'api';
  /** Documents already stored (the public form's attachments) to file to the new case. */
  documentIds?: string[];
}

// The staff form (phone or letter) ----------------------------------------------------------------------

const yesNo = (message: string) => z.enum(['yes', 'no'], { message });
const optionalDate = (message: string) =>
  z
    .string()
    .trim()
    .optional()
    .transform((v) => (v ? v : null))
    .pipe(z.union([isoDate(message), z.null()]));

/**
 * An optional UK telephone number, checked as the link officers' numbers are and stored in E.164
 * (+447911123456). `whose`: "the complainant’s", "the representative’s".
 */
const optionalUkPhone = (whose: string) =>
  z
    .string()
    .trim()
    .max(40, `Enter ${whose} phone number in 40 characters or fewer`)
    .optional()
    .transform((value, ctx) => {
      if (value === undefined || value === '') return null;
      const result = parseUkPhone(value);
      if (result.ok) return result.e164;
      ctx.addIssue({
        code: 'custom',
        message: `Enter ${whose} phone number as a UK number, like 020 7946 0958 or 07911 123456`,
      });
      return z.NEVER;
    });

export const staffComplaintForm = z
  .object({
    channel: z.enum(['phone', 'letter', 'email'], { message: 'Select how the complaint was received' }),
    authorityId: uuid('Select the authority complained about'),
    serviceArea,
    complainantName: required('Enter the complainant’s full name', 200),
    complainantEmail: z
      .string()
      .trim()
      .max(320)
      .optional()
      .transform((v) => (v ? v : null))
      .pipe(
        z.union([
          z.email({ message: 'Enter an email address in the correct format, like name@example.com' }),
          z.null(),
        ]),
      ),
    complainantPhone: optionalUkPhone('the complainant’s'),
    complainantAddress: optionalText(1000),
    communicationNeeds: optionalText(2000),
    representativeName: optionalText(200),
    representativeEmail: z
      .string()
      .trim()
      .max(320)
      .optional()
      .transform((v) => (v ? v : null))
      .pipe(
        z.union([
          z.email({
            message: 'Enter the representative’s email address in the correct format, like name@example.com',
          }),
          z.null(),
        ]),
      ),
    representativePhone: optionalUkPhone('the representative’s'),
    representativeAddress: optionalText(1000),
    representativeCommunicationNeeds: optionalText(2000),
    representativeRelationship: optionalText(200),
    summary: required('Enter what happened'),
    injustice: optionalText(),
    outcomeWanted: optionalText(),
    authorityProcessFinished: yesNo('Select whether the authority’s complaints process has finished'),
    authorityFinalResponseOn: optionalDate('The date of the final response must be a real date'),
    authorityComplainedOn: optionalDate('The date they complained to the authority must be a real date'),
    awareOn: optionalDate('The date they knew of the matter must be a real date'),
    urgent: listOf(urgentKey),
    consentToShare: yesNo('Select whether the complainant agrees to their details being shared with the authority'),
  })
  .refine((v) => v.complainantEmail !== null || v.complainantPhone !== null || v.complainantAddress !== null, {
    path: ['complainantEmail'],
    message: 'Enter at least one way to contact the complainant: email, phone or address',
  })
  .refine((v) => !representativeWithoutName(v), {
    path: ['representativeName'],
    message: 'Enter the representative’s full name, or leave all their details blank',
    // Checked even when other fields have problems, so every problem shows at once.
    when: (payload) => representativeWithoutName(payload.value),
  });

/** Whether the staff form gives a representative's details but not their name (checked on the form's values, parsed or not). */
function representativeWithoutName(value: unknown): boolean {
  const v = (value ?? {}) as Record<string, unknown>;
  const given = (k: string) => {
    const x = v[k];
    return typeof x === 'string' ? x.trim() !== '' : x !== null && x !== undefined;
  };
  return (
    !given('representativeName') &&
    [
      'representativeEmail',
      'representativePhone',
      'representativeAddress',
      'representativeCommunicationNeeds',
      'representativeRelationship',
    ].some(given)
  );
}

// Intake and assessment ------------------------------------------------------------------------------

export const intakeForm = z
  .object({
    action: z.enum(['assessment', 'premature'], { message: 'Select what happens next' }),
    reason: optionalText(5000),
    lateReason: optionalText(5000),
  })
  .refine((v) => v.action !== 'premature' || v.reason !== null, {
    path: ['reason'],
    message: 'Enter why the complaint is premature',
  });

export const assessmentForm = z.object({
  outcome: z.enum(ASSESSMENT_OUTCOMES, { message: 'Select the outcome of the assessment' }),
  reason: optionalText(5000),
  lateReason: optionalText(5000),
  investigatorId: z
    .string()
    .trim()
    .optional()
    .transform((v) => (v ? v : null))
    .pipe(z.union([uuid('Select an investigator'), z.null()])),
});
export type AssessmentInput = z.infer<typeof assessmentForm>;

/** Allocating a case under investigation to an investigator (none chosen: the service says to choose one). */
export const allocationForm = z.object({
  investigatorId: z
    .string()
    .trim()
    .optional()
    .transform((v) => (v ? v : null))
    .pipe(z.union([uuid('Select an investigator from the list'), z.null()])),
});

export const documentRequestForm = z.object({
  description: required('Enter the documents to ask the authority for', 5000),
});

// Lists ---------------------------------------------------------------------------------------------------

const blankToUndefined = (v: unknown) => (v === '' ? undefined : v);
const upTo100 = (v: string) => v.slice(0, 100);
const isGiven = (v: unknown) => v !== undefined;

/** The case list's investigator filter value for cases waiting for an investigator. */
export const NOT_ALLOCATED = 'none';

export const caseListQuery = pageQuery.extend({
  status: z.preprocess(blankToUndefined, z.enum(STATUSES as [ComplaintStatus, ...ComplaintStatus[]]).optional()),
  authorityId: z.preprocess(blankToUndefined, uuid('Select an authority').optional()),
  /** An authority's name, or part of it, typed in the filter (resolved to `authorityId`). */
  authority: z.preprocess(blankToUndefined, z.string().trim().max(100).optional()),
  serviceArea: z.preprocess(blankToUndefined, serviceArea.optional()),
  investigatorId: z.preprocess(
    blankToUndefined,
    z.union([z.literal(NOT_ALLOCATED), uuid('Select an investigator')]).optional(),
  ),
  urgent: z.preprocess(blankToUndefined, z.enum(['yes']).optional()),
  overdue: z.preprocess(blankToUndefined, z.enum(['yes']).optional()),
  reference: z.preprocess(blankToUndefined, z.string().trim().max(20).optional()),
});
export type CaseListQuery = z.infer<typeof caseListQuery>;

/** A list's page: a `cursor` that is not one string is the first page. */
export const cursorQuery = z.object({ cursor: z.string().optional().catch(undefined) });

/** An authority searched for by name (`?q=`): what was typed, up to 100 characters; anything else is no search. */
const authoritySearch = z.string().catch('').transform(upTo100);
export const searchQuery = z.object({ q: authoritySearch });

/** A public form question reached from check your answers (`?change=1`) goes back there once answered. */
const changing = z.literal('1').optional().catch(undefined).transform(isGiven);
export const changeQuery = z.object({ change: changing });
export const questionQuery = z.object({ change: changing, q: authoritySearch });
