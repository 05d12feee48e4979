import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { isDatabaseUnreachable } from '../platform/db/unreachable.ts';
import { DomainError, type DomainErrorCode } from '../platform/errors.ts';
import { asInputError } from './forms.ts';

const STATUS: Record<DomainErrorCode, number> = {
  'not-found': 404,
  forbidden: 403,
  unauthenticated: 401,
  validation: 400,
  conflict: 409,
  'rate-limited': 429,
  gone: 410,
};

const wantsProblem = (request: FastifyRequest) => request.url.startsWith('/api/');

/** RFC 9457 problem details. */
export function sendProblem(
  reply: FastifyReply,
  status: number,
  title: string,
  detail?: string,
  extra: Record<string, unknown> = {},
): FastifyReply {
  return reply
    .code(status)
    .type('application/problem+json')
    .send({ type: 'about:blank', title, status, ...(detail ? { detail } : {}), ...extra });
}

const TITLES: Record<number, string> = {
  400: 'Bad request',
  401: 'Unauthorised',
  403: 'Forbidden',
  404: 'Not found',
  409: 'Conflict',
  410: 'Gone',
  413: 'Payload too large',
  415: 'Unsupported media type',
  429: 'Too many requests',
  500: 'Internal server error',
  503: 'Service unavailable',
};

/** Seconds a client is asked to wait before trying again when the database cannot be reached. */
const RETRY_AFTER_SECONDS = 5;

/** Maps domain errors and framework errors to status pages (HTML) or problem+json (API). */
export function registerErrorHandling(app: FastifyInstance): void {
  app.setNotFoundHandler(async (request, reply) => {
    if (wantsProblem(request))
      return sendProblem(reply, 404, 'Not found', `No resource at ${request.url.split('?')[0]}`);
    return reply.code(404).render('errors/404.njk', {});
  });

  app.setErrorHandler(async (raised: FastifyError | DomainError | Error, request, reply) => {
    const error = asInputError(raised, request) ?? raised;
    if (error instanceof DomainError) {
      const status = STATUS[error.code];
      if (wantsProblem(request)) {
        return sendProblem(
          reply,
          status,
          TITLES[status] ?? 'Error',
          error.message,
          error.fields.length
            ? {
                errors: error.fields.map((f) => ({
                  pointer: `/${f.field.replaceAll('.', '/')}`,
                  field: f.field,
                  detail: f.message,
                })),
              }
            : {},
        );
      }
      if (status === 404) return reply.code(404).render('errors/404.njk', {});
      if (status === 403) return reply.code(403).render('errors/403.njk', {});
      return reply.code(status).render('errors/problem.njk', {
        status,
        title: TITLES[status] ?? 'Error',
        message: error.message,
        ...(error.fields.length > 0 ? { errors: error.fields } : {}),
      });
    }
    if (isDatabaseUnreachable(error)) {
      // A moment without the database (a pooler or server restarting): nothing was half done, since
      // a change commits whole or not at all, and the same request may be sent again shortly.
      request.log.warn({ err: error }, 'the database could not be reached');
      reply.header('retry-after', String(RETRY_AFTER_SECONDS));
      if (wantsProblem(request)) {
        return sendProblem(
          reply,
          503,
          TITLES[503] ?? 'Error',
          'The service could not reach its database. Try again shortly.',
        );
      }
      return reply.code(503).render('errors/503.njk', {});
    }
    const status = 'statusCode' in error && typeof error.statusCode === 'number' ? error.statusCode : 500;
    if (status >= 500) request.log.error({ err: error }, 'request failed');
    if (wantsProblem(request)) {
      const detail =
        status === 400 && 'code' in error && error.code === 'FST_ERR_CTP_INVALID_JSON_BODY'
          ? 'The request body is not valid JSON'
          : status >= 500
            ? undefined
            : error.message;
      return sendProblem(reply, status, TITLES[status] ?? 'Error', detail);
    }
    if (status === 404) return reply.code(404).render('errors/404.njk', {});
    if (status >= 500) return reply.code(500).render('errors/500.njk', {});
    return reply.code(status).render('errors/problem.njk', {
      status,
      title: TITLES[status] ?? 'Error',
      message: status === 413 ? 'The file or form you sent is too large.' : 'The request could not be understood.',
    });
  });
}
