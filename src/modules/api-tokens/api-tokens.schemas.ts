import { z } from 'zod';
import { ROLES } from '../accounts/domain.ts';
import { TOKEN_NAME_MAX } from './domain.ts';

/**
 * The new-token form's shape. The rules (name, role, authority to match the role) are the domain's,
 * checked together by the service so every mistake shows at once.
 */
export const createTokenForm = z.object({
  name: z
    .string()
    .max(10 * TOKEN_NAME_MAX, `Name must be ${TOKEN_NAME_MAX} characters or fewer`)
    .default(''),
  role: z.string().max(100).default(''),
  authority: z
    .string()
    .max(100)
    .optional()
    .transform((v) => (v === undefined || v.trim() === '' ? null : v.trim())),
});

export const tokenListQuery = z.object({ cursor: z.string().max(1000).optional() });

/** GET /api/v1/me: who the calling token is. */
export const meResponse = z.object({
  type: z.literal('token'),
  id: z.uuid().describe('The token’s id'),
  roles: z.array(z.enum(ROLES)),
  authorityId: z.uuid().nullable().describe('The authority the token belongs to; null for staff roles'),
});
