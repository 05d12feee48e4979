import { z } from 'zod';
import { parseUkPhone, type OfficerDetails } from './domain.ts';

const text = (field: string, max: number, required = true) => {
  const base = z.string({ error: `Enter ${field}` }).trim();
  return required
    ? base.min(1, `Enter ${field}`).max(max, `${capitalise(field)} must be ${max} characters or fewer`)
    : base.max(max, `${capitalise(field)} must be ${max} characters or fewer`);
};

function capitalise(s: string): string {
  const bare = s.replace(/^(the|a|an|your) /, '');
  return bare.charAt(0).toUpperCase() + bare.slice(1);
}

const email = (missing: string) =>
  z
    .string({ error: missing })
    .trim()
    .min(1, missing)
    .max(320, 'Email address must be 320 characters or fewer')
    .pipe(z.email({ message: 'Enter an email address in the correct format, like name@example.com' }));

const optionalEmail = z
  .string()
  .trim()
  .max(320, 'Email address must be 320 characters or fewer')
  .optional()
  .transform((v) => (v === undefined || v === '' ? null : v))
  .pipe(z.email({ message: 'Enter an email address in the correct format, like name@example.com' }).nullable());

const phone = z.string({ error: 'Enter a direct telephone number' }).transform((value, ctx) => {
  const result = parseUkPhone(value);
  if (!result.ok) {
    ctx.addIssue({ code: 'custom', message: result.message });
    return z.NEVER;
  }
  return result.e164;
});

/** The six details held for a link officer, as a form or an API body gives them. */
export const officerDetailsSchema = z
  .object({
    title: text('a preferred title, like Ms, Mr, Mx or Dr', 35),
    forename: text('a forename', 100),
    surname: text('a surname', 100),
    jobTitle: text('a job title', 200),
    email: email('Enter a direct email address'),
    correspondenceEmail: optionalEmail,
    phone,
  })
  .transform((v): OfficerDetails => ({
    ...v,
    correspondenceEmail:
      v.correspondenceEmail !== null && v.correspondenceEmail.toLowerCase() === v.email.toLowerCase()
        ? null
        : v.correspondenceEmail,
  }));

/** Which place a change affects: `add`, or the place number of the officer replaced (portal). */
export const changeTargetSchema = z.enum(['add', '1', '2'], {
  error: 'Select whether this adds or replaces a link officer',
});

/**
 * The change-of-link-officer form on the public site: who asks, the authority, and whether the new
 * officer is added or replaces one (named by their email address: the public site shows no names).
 */
export const publicChangeForm = z
  .object({
    requesterName: text('your name', 200),
    requesterEmail: email('Enter your email address'),
    authorityId: z.uuid({ error: 'Select the authority' }),
    change: z.enum(['add', 'replace'], { error: 'Select whether this adds or replaces a link officer' }),
    replacesEmail: z.string().trim().max(320).optional(),
  })
  .refine((v) => v.change !== 'replace' || !!v.replacesEmail, {
    path: ['replacesEmail'],
    message: 'Enter the email address of the link officer being replaced',
    // Checked even when other fields have problems, so every problem shows at once.
    when: (payload) => {
      const value = payload.value as { change?: unknown; replacesEmail?: unknown } | undefined;
      return (
        value?.change === 'replace' && (typeof value.replacesEmail !== 'string' || value.replacesEmail.trim() === '')
      );
    },
  });

/** The same form in the portal, where the authority and the person asking are known. */
export const portalChangeForm = z.object({ change: changeTargetSchema });

export const rejectForm = z.object({
  reason: text('the reason for rejecting the request', 2000),
});

export const addDelegateForm = z.object({
  name: text('the full name', 200),
  email: email('Enter an email address'),
});

const dateParts = (label: string) =>
  z
    .object({
      day: z.string().trim().optional(),
      month: z.string().trim().optional(),
      year: z.string().trim().optional(),
    })
    .transform((v, ctx) => {
      const { day = '', month = '', year = '' } = v;
      if (day === '' && month === '' && year === '') {
        ctx.addIssue({ code: 'custom', message: `Enter the ${label}` });
        return z.NEVER;
      }
      const d = Number(day);
      const m = Number(month);
      const y = Number(year);
      const date = new Date(Date.UTC(y, m - 1, d));
      const ok =
        /^\d{1,2}$/.test(day) &&
        /^\d{1,2}$/.test(month) &&
        /^\d{4}$/.test(year) &&
        date.getUTCFullYear() === y &&
        date.getUTCMonth() === m - 1 &&
        date.getUTCDate() === d;
      if (!ok) {
        ctx.addIssue({ code: 'custom', message: `The ${label} must be a real date, like 27 3 2026` });
        return z.NEVER;
      }
      return date.toISOString().slice(0, 10);
    });

/** Absence cover: who is away, from and to (inclusive), and who covers (`delegate:<id>` or `officer:<id>`). */
export const coverForm = z
  .object({
    linkOfficerId: z.uuid({ error: 'Select the link officer who is away' }),
    starts: dateParts('first day of the absence'),
    ends: dateParts('last day of the absence'),
    coveredBy: z
      .string({ error: 'Select who covers the absence' })
      .regex(/^(delegate|officer):[0-9a-f-]{36}$/i, 'Select who covers the absence'),
  })
  .superRefine((v, ctx) => {
    if (v.ends < v.starts) {
      ctx.addIssue({
        code: 'custom',
        path: ['ends'],
        message: 'The last day of the absence must be the same as or after the first day',
      });
    }
  });

/** Date inputs post `starts-day`, `starts-month` …; zod wants them nested. */
export function nestDateFields(body: unknown, names: readonly string[]): Record<string, unknown> {
  const source = body && typeof body === 'object' ? (body as Record<string, unknown>) : {};
  const out: Record<string, unknown> = { ...source };
  for (const name of names) {
    out[name] = {
      day: source[`${name}-day`],
      month: source[`${name}-month`],
      year: source[`${name}-year`],
    };
  }
  return out;
}

/** The absence cover form as posted: its date inputs nested for `coverForm`. */
export const coverFormBody = z.preprocess((body) => nestDateFields(body, ['starts', 'ends']), coverForm);

/** One form body read by two schemas, every problem from both reported at once. */
export function bothOf<A extends z.ZodType, B extends z.ZodType>(a: A, b: B) {
  return z.unknown().transform((body, ctx): [z.output<A>, z.output<B>] => {
    const first = a.safeParse(body);
    const second = b.safeParse(body);
    for (const issue of [...(first.error?.issues ?? []), ...(second.error?.issues ?? [])])
      ctx.addIssue({ code: 'custom', message: issue.message, path: issue.path });
    if (!first.success || !second.success) return z.NEVER;
    return [first.data, second.data];
  });
}

/** The portal's change-of-link-officer form: the change and the new officer's details. */
export const portalChangeRequestForm = bothOf(portalChangeForm, officerDetailsSchema);

/** The public change-of-link-officer form: who asks, the authority, the change and the new officer's details. */
export const publicChangeRequestForm = bothOf(publicChangeForm, officerDetailsSchema);

/** The link in a change request's confirmation email: anything else is a page that does not exist. */
export const confirmationParams = z.object({ token: z.string().regex(/^[\w-]{20,128}$/) });

/** The requester's answer to a change request: anything but `decline` confirms it. */
export const confirmationForm = z.object({ decision: z.string().optional().catch(undefined) });

/** The JSON API body for adding or replacing a link officer (the same rules as the form). */
export const officerApiBody = officerDetailsSchema;
