import { z } from 'zod';
import { calendarDate, dateFromParts } from '../../platform/input.ts';
import { SERVICE_AREAS } from '../authorities/domain.ts';
import { CHANNELS, EVENT_TYPES, OUTCOMES, STATUTORY_ROUTES } from './domain.ts';

const text = (what: string, max: number) =>
  z
    .string({ error: `Enter ${what}` })
    .trim()
    .min(1, `Enter ${what}`)
    .max(max, `The ${what.replace(/^(the|a|an) /, '')} must be ${max.toLocaleString('en-GB')} characters or fewer`);
const optional = (label: string, max: number) =>
  z
    .string()
    .trim()
    .max(max, `${label} must be ${max.toLocaleString('en-GB')} characters or fewer`)
    .optional()
    .nullable()
    .transform((v) => (v ? v : null));
const optionalEmail = z
  .string()
  .trim()
  .max(254, 'The email address must be 254 characters or fewer')
  .optional()
  .nullable()
  .transform((v) => (v ? v : null))
  .pipe(z.email('Enter the email address in the correct format, like name@example.com').nullable());

// The API's bodies.

export const apiCreateBody = z.object({
  reference: text('the authority’s reference', 50),
  receivedOn: calendarDate(),
  serviceArea: z.enum(SERVICE_AREAS, { error: `Must be one of ${SERVICE_AREAS.join(', ')}` }),
  channel: z.enum(CHANNELS).optional(),
  complainant: z.object({
    name: text('the complainant’s name', 200),
    email: z.email().max(254).optional(),
    phone: z.string().trim().min(1).max(30).optional(),
  }),
  summary: text('a summary', 5000),
  handler: z.string().trim().min(1).max(200).optional().describe('The stage 1 handler'),
  statutoryRoute: z.enum(STATUTORY_ROUTES).optional().describe('A statutory social care complaint, outside the Code'),
});

export const apiEventBody = z.object({
  type: z.enum(EVENT_TYPES),
  on: calendarDate(),
  handler: z
    .string()
    .trim()
    .min(1)
    .max(200)
    .optional()
    .describe('Required when escalated: a different person from the earlier stages’ handlers'),
  reason: z
    .string()
    .trim()
    .min(1)
    .max(2000)
    .optional()
    .describe('Required when extended: the reason the complainant was told'),
  extensionWorkingDays: z.number().int().min(1).max(200).optional(),
  outcome: z.enum(OUTCOMES).optional().describe('When responded'),
  toldOfOmbudsman: z
    .boolean()
    .optional()
    .describe('When responded: whether the complainant was told they may go to the ombudsman'),
});

export const apiDates = z.object({
  id: z.uuid(),
  stage: z.number().int(),
  acknowledgeBy: calendarDate(),
  respondBy: calendarDate(),
});

// The portal's forms. A date is typed in three boxes (`on-day`, `on-month`, `on-year`).

const datePart = <N extends string>(name: N, label: string) =>
  z
    .object({
      [`${name}-day`]: z.string().optional(),
      [`${name}-month`]: z.string().optional(),
      [`${name}-year`]: z.string().optional(),
    })
    .transform((v, ctx) => {
      const [d, m, y] = [v[`${name}-day`] ?? '', v[`${name}-month`] ?? '', v[`${name}-year`] ?? ''];
      if (!d.trim() && !m.trim() && !y.trim()) {
        ctx.addIssue({ code: 'custom', message: `Enter the ${label}`, path: [name] });
        return z.NEVER;
      }
      const date = dateFromParts(d, m, y);
      if (!date) {
        ctx.addIssue({ code: 'custom', message: `The ${label} must be a real date, like 27 3 2027`, path: [name] });
        return z.NEVER;
      }
      return { [name]: date } as Record<N, string>;
    });

export const newForm = z
  .object({
    reference: text('your reference', 50),
    serviceArea: z.enum(SERVICE_AREAS, { error: 'Select the service area' }),
    channel: z.enum(CHANNELS, { error: 'Select how the complaint was made' }),
    name: text('the complainant’s name', 200),
    email: optionalEmail,
    phone: optional('The telephone number', 30),
    summary: text('a summary of the complaint', 5000),
    handler: optional('The handler’s name', 200),
    route: z.enum(['code', ...STATUTORY_ROUTES], { error: 'Select the route the complaint follows' }),
  })
  .and(datePart('receivedOn', 'date the complaint was received'));

export const acknowledgeForm = z
  .object({ handler: optional('The handler’s name', 200) })
  .and(datePart('on', 'date of the acknowledgement'));

export const extendForm = z
  .object({
    extensionWorkingDays: z.coerce
      .number({ error: 'Enter the extension in working days' })
      .int('Enter the extension in whole working days')
      .min(1, 'Enter the extension in working days, 1 or more')
      .max(200, 'Enter the extension in working days, 200 or fewer'),
    reason: text('the reason for the extension', 2000),
    told: z.literal('yes', { error: 'Confirm the complainant was told of the extension and why' }),
  })
  .and(datePart('on', 'date of the extension'));

export const respondForm = z
  .object({
    outcome: z.enum(OUTCOMES, { error: 'Select the outcome' }),
    toldOfOmbudsman: z.enum(['yes', 'no'], {
      error: 'Select whether the complainant was told they may go to the ombudsman',
    }),
  })
  .and(datePart('on', 'date the response was sent'));

export const escalateForm = z
  .object({ handler: text('the name of the handler for the next stage', 200) })
  .and(datePart('on', 'date the complainant asked for the next stage'));

export const closeForm = z.object({ reason: optional('The reason', 2000) }).and(datePart('on', 'date of closure'));

export const logQuery = z.object({
  serviceArea: z
    .enum(SERVICE_AREAS)
    .optional()
    .or(z.literal('').transform(() => undefined)),
  stage: z.coerce
    .number()
    .int()
    .min(1)
    .max(3)
    .optional()
    .or(z.literal('').transform(() => undefined)),
  state: z
    .enum(['open', 'closed', 'overdue', 'due-soon'])
    .optional()
    .or(z.literal('').transform(() => undefined)),
  reference: z
    .string()
    .trim()
    .max(50)
    .optional()
    .transform((v) => v || undefined),
  cursor: z.string().max(1000).optional(),
});

export const linkForm = z.object({ localId: z.uuid({ error: 'Select the local complaint to link' }) });
export const candidateQuery = z.object({
  reference: z
    .string()
    .trim()
    .max(50)
    .optional()
    .transform((v) => v || undefined),
});

export const SELF_ASSESSMENT_SECTIONS = [
  { key: 'definition', title: 'Definition of a complaint and exclusions' },
  { key: 'accessibility', title: 'Accessibility and awareness' },
  { key: 'team', title: 'The complaint handling team' },
  { key: 'process', title: 'The complaint handling process' },
  { key: 'learning', title: 'Continuous learning and improvement' },
  { key: 'improvements', title: 'Service improvements made this year' },
] as const;

const section = (title: string) =>
  z
    .string()
    .trim()
    .max(10_000, `${title} must be 10,000 characters or fewer`)
    .optional()
    .transform((v) => v ?? '');

export const selfAssessmentForm = z.object({
  definition: section('Definition of a complaint'),
  accessibility: section('Accessibility and awareness'),
  team: section('The complaint handling team'),
  process: section('The complaint handling process'),
  learning: section('Continuous learning and improvement'),
  improvements: section('Service improvements'),
});

export const yearQuery = z.object({ year: z.coerce.number().int().min(2000).max(2100).optional() });
