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
