import { z } from 'zod';
import { dateFromParts, instant } from '../../platform/input.ts';
import { invalid, type FieldError } from '../../platform/errors.ts';
import { AUDIENCES, FORMATS, londonInstant } from './domain.ts';
import type { BookingInput } from './booking.ts';
import type { CourseInput } from './courses.ts';
import type { SessionInput } from './sessions.ts';

/** Forms and API bodies for training. */

const text = (max: number, message: string) =>
  z
    .string({ error: message })
    .trim()
    .min(1, message)
    .max(max, `Must be ${max.toLocaleString('en-GB')} characters or fewer`);

const optionalText = (max: number) =>
  z
    .string()
    .trim()
    .max(max, `Must be ${max.toLocaleString('en-GB')} characters or fewer`)
    .optional()
    .transform((v) => (v ? v : null));

const email = z
  .string({ error: 'Enter an email address' })
  .trim()
  .min(1, 'Enter an email address')
  .max(320, 'Must be 320 characters or fewer')
  .pipe(z.email({ error: 'Enter an email address in the correct format, like name@example.com' }));

const address = z
  .string()
  .trim()
  .max(2000, 'Must be 2,000 characters or fewer')
  .refine((v) => v === '' || /^https:\/\/[^\s]+$/.test(v), 'Enter an address starting https://')
  .optional()
  .transform((v) => (v ? v : null));

const wholeNumber = (message: string, min: number, max: number) =>
  z
    .string({ error: message })
    .trim()
    .min(1, message)
    .regex(/^\d+$/, message)
    .transform(Number)
    .pipe(
      z
        .number()
        .int()
        .min(min, message)
        .max(max, `Must be ${max.toLocaleString('en-GB')} or fewer`),
    );

const listOf = <T extends readonly [string, ...string[]]>(values: T, message: string) =>
  z.preprocess(
    (v): unknown[] => (v === undefined || v === '' ? [] : Array.isArray(v) ? (v as unknown[]) : [v]),
    z.array(z.enum(values, { error: message })).min(1, message),
  );

/** Pounds and pence as typed ("45", "45.50", "£45"), in pence. */
const price = z
  .string()
  .trim()
  .optional()
  .transform((v, ctx) => {
    const bare = (v ?? '').replace(/^£/, '').replace(/,/g, '');
    if (bare === '') return 0;
    if (!/^\d{1,6}(\.\d{1,2})?$/.test(bare)) {
      ctx.addIssue({ code: 'custom', message: 'Enter the price in pounds, like 45 or 45.50, or 0 if it is free' });
      return z.NEVER;
    }
    return Math.round(Number(bare) * 100);
  });

export const courseForm = z.object({
  title: text(200, 'Enter the course title'),
  audiences: listOf(AUDIENCES, 'Select who the course is for'),
  format: z.enum(FORMATS, { error: 'Select the format of the course' }),
  description: text(20_000, 'Enter a description of the course'),
  learningOutcomes: optionalText(5000),
  durationMinutes: z
    .string()
    .trim()
    .optional()
    .transform((v, ctx) => {
      if (!v) return null;
      if (!/^\d{1,4}$/.test(v) || Number(v) === 0) {
        ctx.addIssue({ code: 'custom', message: 'Enter the length in minutes, like 90' });
        return z.NEVER;
      }
      return Number(v);
    }),
  price,
  externalUrl: address,
  published: z.preprocess((v) => v === 'yes', z.boolean()),
});

export function courseInput(form: z.output<typeof courseForm>): CourseInput {
  return {
    title: form.title,
    audiences: form.audiences,
    format: form.format,
    description: form.description,
    learningOutcomes: form.learningOutcomes ?? '',
    durationMinutes: form.durationMinutes,
    pricePence: form.price,
    externalUrl: form.externalUrl,
    published: form.published,
  };
}

const clock24 = /^([01]?\d|2[0-3]):[0-5]\d$/;

/** One box of a day in three boxes: what was typed, or nothing; checked together by `sessionInput`. */
const dayBox = z.string().trim().catch('');

export const sessionForm = z.object({
  'date-day': dayBox,
  'date-month': dayBox,
  'date-year': dayBox,
  startTime: z
    .string({ error: 'Enter the start time' })
    .trim()
    .regex(clock24, 'Enter the start time in the 24-hour clock, like 09:30'),
  endTime: z
    .string({ error: 'Enter the end time' })
    .trim()
    .regex(clock24, 'Enter the end time in the 24-hour clock, like 12:30'),
  capacity: wholeNumber('Enter the number of places, like 20', 1, 10_000),
  venue: optionalText(2000),
  joiningInstructions: optionalText(5000),
  trainerId: z
    .string()
    .optional()
    .transform((v) => (v ? v : null))
    .pipe(z.uuid({ error: 'Choose a trainer' }).nullable()),
  authorityId: z
    .string()
    .optional()
    .transform((v) => (v ? v : null))
    .pipe(z.uuid({ error: 'Choose the authority' }).nullable()),
  network: optionalText(200),
  'closes-day': dayBox,
  'closes-month': dayBox,
  'closes-year': dayBox,
});

type SessionForm = z.output<typeof sessionForm>;

type DayInBoxes = { kind: 'none' } | { kind: 'invalid' } | { kind: 'date'; date: string };

function dayInBoxes(form: SessionForm, prefix: 'date' | 'closes'): DayInBoxes {
  const [d, m, y] = [form[`${prefix}-day`], form[`${prefix}-month`], form[`${prefix}-year`]];
  if (d === '' && m === '' && y === '') return { kind: 'none' };
  if (!/^\d{1,2}$/.test(d) || !/^\d{1,2}$/.test(m) || !/^\d{4}$/.test(y)) return { kind: 'invalid' };
  const date = dateFromParts(d, m, y);
  return date ? { kind: 'date', date } : { kind: 'invalid' };
}

/** A session from its form: the day in three boxes, the times in London, booking's last day. */
export function sessionInput(form: SessionForm): SessionInput {
  const problems: FieldError[] = [];
  const day = dayInBoxes(form, 'date');
  const closes = dayInBoxes(form, 'closes');
  if (day.kind !== 'date') problems.push({ field: 'date', message: 'Enter the date of the session, like 27 3 2027' });
  if (closes.kind === 'invalid')
    problems.push({ field: 'closes', message: 'Enter the last day for booking, like 20 3 2027' });
  const startsAt = day.kind === 'date' ? londonInstant(day.date, form.startTime) : null;
  const endsAt = day.kind === 'date' ? londonInstant(day.date, form.endTime) : null;
  if (day.kind === 'date' && (!startsAt || !endsAt))
    problems.push({
      field: startsAt ? 'endTime' : 'startTime',
      message: 'That time does not exist on that day in the UK (the clocks go forward)',
    });
  if (problems.length > 0 || day.kind !== 'date' || !startsAt || !endsAt) throw invalid(problems);
  let bookingClosesAt: Date | null = null;
  if (closes.kind === 'date') {
    if (closes.date > day.date)
      throw invalid([{ field: 'closes', message: 'Booking must close on or before the day of the session' }]);
    const endOfDay = londonInstant(closes.date, '23:59');
    bookingClosesAt = endOfDay && endOfDay < startsAt ? endOfDay : startsAt;
  }
  return {
    startsAt,
    endsAt,
    capacity: form.capacity,
    bookingClosesAt,
    joiningInstructions: form.joiningInstructions,
    venue: form.venue,
    trainerId: form.trainerId,
    authorityId: form.authorityId,
    network: form.network,
  };
}

const personFields = {
  name: text(200, 'Enter the full name of the person attending'),
  email,
  jobRole: optionalText(200),
  accessibilityNeeds: optionalText(2000),
  purchaseOrder: optionalText(100),
};

export const portalBookingForm = z.object(personFields);

export const publicBookingForm = z.object({
  ...personFields,
  organisation: text(300, 'Enter the name of the organisation you work for'),
  authorityId: z
    .string()
    .optional()
    .transform((v) => (v ? v : null))
    .pipe(z.uuid({ error: 'Choose the authority' }).nullable()),
});

export function bookingInput(
  form: z.output<typeof portalBookingForm> & { organisation?: string | null; authorityId?: string | null },
): BookingInput {
  return {
    name: form.name,
    email: form.email,
    organisation: form.organisation ?? null,
    jobRole: form.jobRole,
    accessibilityNeeds: form.accessibilityNeeds,
    authorityId: form.authorityId ?? null,
    purchaseOrder: form.purchaseOrder,
  };
}

export const feedbackForm = z.object({
  rating: z.enum(['1', '2', '3', '4', '5'], { error: 'Select how useful the session was' }).transform(Number),
  comments: z.string().trim().max(5000, 'Must be 5,000 characters or fewer').default(''),
});

export const offerForm = z.object({
  answer: z.enum(['accept', 'decline'], { error: 'Select whether you will take the place' }),
});

// The API.

export const apiCourseBody = z.object({
  title: text(200, 'Enter the course title'),
  audience: z.array(z.enum(AUDIENCES)).min(1, 'Name at least one audience'),
  format: z.enum(FORMATS),
  description: text(20_000, 'Enter a description of the course'),
  pricePence: z
    .number()
    .int()
    .min(0)
    .max(100_000_000)
    .optional()
    .describe('Price per place in pence; 0 or absent when free'),
  learningOutcomes: z.string().trim().max(5000).optional(),
  durationMinutes: z.number().int().min(1).max(10_000).optional(),
  externalUrl: z
    .url({ protocol: /^https$/ })
    .max(2000)
    .optional()
    .describe('For eLearning and workbooks: where they are'),
  published: z.boolean().optional().describe('Listed on the public site; true when absent'),
});

export const apiSessionBody = z.object({
  startsAt: instant({ offset: true }),
  endsAt: instant({ offset: true }),
  capacity: z.number().int().min(1).max(10_000),
  bookingClosesAt: instant({ offset: true }).optional(),
  joiningInstructions: z.string().trim().min(1).max(5000).optional(),
  venue: z.string().trim().min(1).max(2000).optional(),
  trainerId: z.uuid().optional().describe('A staff user'),
  authorityId: z.uuid().optional().describe('An in-house session for this authority'),
  network: z.string().trim().min(1).max(200).optional(),
});

export const apiBookingBody = z.object({
  name: text(200, 'Enter the full name of the person attending'),
  email,
  organisation: z.string().trim().min(1).max(300).optional(),
  authorityId: z.uuid().optional().describe('The authority in the directory the person works for'),
  jobRole: z.string().trim().min(1).max(200).optional(),
  accessibilityNeeds: z.string().trim().min(1).max(2000).optional(),
  purchaseOrder: z.string().trim().min(1).max(100).optional(),
});
