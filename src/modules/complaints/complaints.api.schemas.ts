import { z } from 'zod';
import { calendarDate } from '../../platform/input.ts';
import { parseUkPhone } from '../link-officers/domain.ts';
import { serviceArea, urgentKey } from './complaints.schemas.ts';
import { ASSESSMENT_OUTCOMES } from './domain.ts';

/** Schemas for the complaints API: what it takes and what it answers. */

const apiParty = z.object({
  name: z.string().trim().min(1).max(200),
  email: z.email().max(320).optional(),
  phone: z
    .string()
    .trim()
    .max(40)
    .transform((value, ctx) => {
      const result = parseUkPhone(value);
      if (result.ok) return result.e164;
      ctx.addIssue({ code: 'custom', message: 'Enter a UK phone number, like 020 7946 0958 or 07911 123456' });
      return z.NEVER;
    })
    .optional()
    .describe('A UK telephone number; stored and returned in E.164 (+442079460958)'),
  address: z.string().trim().max(1000).optional(),
  communicationNeeds: z.string().trim().max(2000).optional(),
  relationship: z.string().trim().max(200).optional(),
});

/** The complainant over the API: an email address is required, for the acknowledgement and every letter after it. */
const apiComplainant = apiParty.extend({
  email: z
    .email({
      error: (issue) =>
        issue.input === undefined
          ? 'Enter the complainant’s email address'
          : 'Enter an email address in the correct format, like name@example.com',
    })
    .max(320),
});

export const apiCreateComplaint = z.object({
  authorityId: z.uuid(),
  serviceArea,
  complainant: apiComplainant,
  representative: apiParty.optional(),
  summary: z.string().trim().min(1).max(10_000).describe('What happened'),
  injustice: z.string().trim().max(10_000).optional(),
  outcomeWanted: z.string().trim().max(10_000).optional(),
  authorityProcessFinished: z.boolean(),
  authorityFinalResponseDate: calendarDate().optional(),
  authorityComplainedDate: calendarDate().optional().describe('When they complained to the authority'),
  awareDate: calendarDate().optional().describe('When they first knew of the matter'),
  urgent: z.array(urgentKey).optional(),
  consentToShare: z.boolean(),
  channel: z.enum(['phone', 'letter', 'email', 'api']).optional(),
});

/** Blank text over the API is as if it were not sent. */
const apiOptionalText = (max: number) =>
  z
    .string()
    .trim()
    .max(max)
    .optional()
    .transform((v) => (v === undefined || v === '' ? null : v));

export const apiAssessment = z.object({
  outcome: z.enum(ASSESSMENT_OUTCOMES),
  reason: apiOptionalText(5000).describe(
    'Why: required for every outcome except investigate. Sent to the complainant, and to the authority when it is told.',
  ),
  lateReason: apiOptionalText(5000).describe(
    'Why a late complaint may go ahead: required to investigate a late complaint whose reason is not yet recorded',
  ),
  investigatorId: z
    .uuid()
    .optional()
    .describe('An investigator to allocate the case to; without one an investigated case waits unallocated'),
});

export const complaintIdParams = z.object({ id: z.uuid() });

export const apiComplaintSummary = z.object({
  id: z.string(),
  reference: z.string(),
  status: z.string(),
  authorityId: z.string(),
  authorityName: z.string().optional(),
  serviceArea: z.string(),
  urgent: z.boolean(),
  outcome: z.string().nullable(),
  receivedAt: z.string(),
});

export const apiComplaintList = z.object({ items: z.array(apiComplaintSummary), nextCursor: z.string().nullable() });

export const apiCreated = z.object({ id: z.string(), reference: z.string(), status: z.string() });

/** A party to the case as the API shows them. */
const partyShown = z
  .object({
    name: z.string(),
    email: z.string().nullable(),
    phone: z.string().nullable(),
    personId: z.string().nullable().describe('The person across cases (staff tokens; null for authority tokens)'),
  })
  .nullable()
  .describe('Shown to an authority only when the complainant consented to sharing');

export const apiComplaintDetail = apiComplaintSummary.extend({
  summary: z.string(),
  injustice: z.string().nullable(),
  outcomeWanted: z.string().nullable(),
  authorityProcessFinished: z.boolean(),
  authorityFinalResponseDate: z.string().nullable(),
  premature: z.boolean(),
  late: z.boolean(),
  investigatorId: z.string().nullable(),
  outcomeReason: z.string().nullable(),
  complainant: partyShown,
  representative: partyShown,
  restriction: z
    .object({ id: z.string(), terms: z.array(z.string()), reviewDate: z.string() })
    .nullable()
    .describe(
      'A contact restriction in force on the complainant or representative (staff tokens only; null otherwise)',
    ),
  history: z.array(
    z.object({
      fromStatus: z.string().nullable(),
      toStatus: z.string(),
      outcome: z.string().nullable(),
      reason: z.string().nullable(),
      changedAt: z.string(),
      by: z
        .object({
          type: z
            .enum(['user', 'token', 'system', 'public-form', 'ombudsman'])
            .describe(
              'Staff tokens: `user` (a person on a staff page), `token` (an API token), `system` (a scheduled job) or ' +
                '`public-form` (the complainant, on the online form). Authority tokens see only `ombudsman` or `public-form`.',
            ),
          name: z
            .string()
            .nullable()
            .describe(
              'The person’s display name or the token’s name, to staff tokens only. Null for the system and the online ' +
                'form, for a person or token since deleted, and always for authority tokens.',
            ),
        })
        .describe(
          'Who made the change. A change recorded before its maker’s kind was kept is `user` when a person was ' +
            'recorded, otherwise `public-form`, as on the case’s timeline.',
        ),
    }),
  ),
});
