import { z } from 'zod';

export const signInForm = z.object({
  email: z
    .string({ error: 'Enter your email address' })
    .trim()
    .min(1, 'Enter your email address')
    .max(320, 'Email address must be 320 characters or fewer'),
  password: z
    .string({ error: 'Enter your password' })
    .min(1, 'Enter your password')
    .max(1000, 'Password must be 1,000 characters or fewer'),
  next: z.string().optional(),
});

/** Only same-site paths are followed after sign-in. */
export function safeNext(next: string | undefined, fallback: string): string {
  return next && /^\/(?![/\\])[\w\-/?=&%.]*$/.test(next) ? next : fallback;
}

/**
 * The `next` in a sign-in page's address, followed only when it is a same-site path (`safeNext`);
 * anything else, or several, is ignored.
 */
export const nextQuery = z.object({
  next: z
    .string()
    .optional()
    .catch(undefined)
    .transform((v) => safeNext(v, '')),
});

/** The `next` a sign-in form was sent with, when it is text; where its errors go back to keeps it. */
export const sentNext = z
  .object({ next: z.string().optional().catch(undefined) })
  .catch({ next: undefined })
  .transform((v) => v.next);

const email = (missing: string) =>
  z
    .string({ error: missing })
    .trim()
    .min(1, missing)
    .max(320, 'Email address must be 320 characters or fewer')
    .pipe(z.email({ error: 'Enter an email address in the correct format, like name@example.com' }));

const displayName = z
  .string({ error: 'Enter a name' })
  .trim()
  .min(1, 'Enter a name')
  .max(200, 'Name must be 200 characters or fewer');

/** A new password: presence and the outer limit here; length and email rules in the service. */
const newPassword = z
  .string({ error: 'Enter a password' })
  .min(1, 'Enter a password')
  .max(1000, 'Password must be 1,000 characters or fewer');

/** Checkbox values arrive as one string or several. */
const stringList = z.preprocess(
  (v: unknown): unknown[] => (v === undefined || v === '' ? [] : Array.isArray(v) ? (v as unknown[]) : [v]),
  z.array(z.string().max(64)).max(20),
);

export const twoFactorCodeForm = z.object({
  code: z
    .string({ error: 'Enter the 6-digit code from your authenticator app' })
    .trim()
    .min(1, 'Enter the 6-digit code from your authenticator app')
    .max(20, 'Enter the 6-digit code from your authenticator app'),
  next: z.string().optional(),
});

export const newPasswordForm = z.object({ password: newPassword });

export const passwordResetRequestForm = z.object({ email: email('Enter your email address') });

export const firstAdministratorForm = z.object({
  email: email('Enter your email address'),
  displayName,
  password: newPassword,
});

export const changePasswordForm = z.object({
  currentPassword: z
    .string({ error: 'Enter your current password' })
    .min(1, 'Enter your current password')
    .max(1000, 'Password must be 1,000 characters or fewer'),
  password: newPassword,
});

export const confirmPasswordForm = z.object({
  password: z
    .string({ error: 'Enter your password' })
    .min(1, 'Enter your password')
    .max(1000, 'Password must be 1,000 characters or fewer'),
});

export const inviteForm = z.object({
  email: email('Enter their email address'),
  displayName,
  roles: stringList.pipe(z.array(z.string()).min(1, 'Select at least one role')),
  authorityId: z
    .string()
    .optional()
    .transform((v) => (v ? v : null))
    .pipe(z.uuid({ error: 'Select an authority from the list' }).nullable()),
});

export const rolesForm = z.object({ roles: stringList });

export const userIdParams = z.object({ id: z.uuid() });
export const tokenParams = z.object({ token: z.string().regex(/^[\w-]{20,100}$/) });

export const userListFilter = z.object({
  role: z
    .string()
    .max(64)
    .optional()
    .transform((v) => v || undefined),
  q: z
    .string()
    .max(200)
    .optional()
    .transform((v) => v?.trim() || undefined),
  after: z.string().max(2000).optional(),
  before: z.string().max(2000).optional(),
});

/** The users page's filter and paging: an address it cannot read shows the first page of everyone. */
export const userListQuery = userListFilter.catch({
  role: undefined,
  q: undefined,
  after: undefined,
  before: undefined,
});
