import type { FastifyReply, FastifyRequest } from 'fastify';
import { ZodError, type z } from 'zod';
import { DomainError, type FieldError } from '../platform/errors.ts';

/** What a form carries into the next page after a redirect: errors, the user's input, a notice. */
export interface Flash {
  errors?: FieldError[];
  values?: Record<string, unknown>;
  notice?: string;
}

/** Fields never kept for redisplay. */
const SECRET_FIELDS = /password|code|token|_csrf/i;

export function zodFieldErrors(error: z.ZodError): FieldError[] {
  const seen = new Set<string>();
  const out: FieldError[] = [];
  for (const issue of error.issues) {
    const field = issue.path.map(String).join('.') || 'form';
    if (seen.has(field)) continue; // one message per field, the first
    seen.add(field);
    out.push({ field, message: issue.message });
  }
  return out;
}

/**
 * Bad input as a validation error, whatever raised it: a DomainError as it is; a ZodError thrown
 * outside a form or API schema; or one of PostgreSQL's data exceptions (SQLSTATE class 22: a value
 * out of range, a date that does not exist, a character it cannot store), which means a schema let
 * the value through: the transaction rolled back, so nothing changed; it is logged so the schema
 * can be mended. Null for anything else.
 */
export function asInputError(error: unknown, request: FastifyRequest): DomainError | null {
  if (error instanceof DomainError) return error;
  if (error instanceof ZodError) return new DomainError('validation', 'There is a problem', zodFieldErrors(error));
  const code = error instanceof Error && 'code' in error ? error.code : undefined;
  if (typeof code === 'string' && /^22[0-9A-Z]{3}$/.test(code)) {
    request.log.warn({ err: error }, 'a value the database refused reached it');
    return new DomainError('validation', 'A value entered cannot be stored: check what was entered and try again');
  }
  return null;
}

/** Parses a form body with a zod schema; on failure throws a validation DomainError with one message per field. */
export function parseForm<S extends z.ZodType>(schema: S, body: unknown): z.infer<S> {
  const result = schema.safeParse(body ?? {});
  if (!result.success) throw new DomainError('validation', 'There is a problem', zodFieldErrors(result.error));
  return result.data;
}

export function keptValues(body: unknown): Record<string, unknown> {
  if (!body || typeof body !== 'object') return {};
  return Object.fromEntries(Object.entries(body).filter(([k]) => !SECRET_FIELDS.test(k)));
}

/**
 * Post/redirect/get for a form that failed validation: the errors and the user's input (less
 * `keptValues`' secret fields) are kept on the server for the form's own page, which shows the
 * GOV.UK error summary; the browser's flash cookie holds only their random key.
 */
export function redirectWithErrors(request: FastifyRequest, reply: FastifyReply, to: string, errors: FieldError[]) {
  reply.setFlash({ errors, values: keptValues(request.body) });
  return reply.redirect(to, 303);
}

/** Runs a form action; a validation or conflict error goes back to `back` with the errors and the input kept. */
export async function handleForm(
  request: FastifyRequest,
  reply: FastifyReply,
  back: string,
  action: () => Promise<string>,
): Promise<FastifyReply> {
  try {
    const to = await action();
    return await reply.redirect(to, 303);
  } catch (raised) {
    const error = asInputError(raised, request);
    if (error && (error.code === 'validation' || error.code === 'conflict' || error.code === 'rate-limited')) {
      const fields = error.fields.length > 0 ? error.fields : [{ field: 'form', message: error.message }];
      return redirectWithErrors(request, reply, back, fields);
    }
    throw raised;
  }
}
