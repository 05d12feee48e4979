import type { FastifyReply, FastifyRequest } from 'fastify';
import type { FieldError } from '../platform/errors.ts';
import { unsafeTextFields, withoutUnsafeText } from '../platform/input.ts';
import { keptValues } from './forms.ts';

/**
 * The one input boundary for requests: every string in the path, the query string and a parsed body
 * (form or JSON) is checked for what Liaison cannot store (control characters, broken characters,
 * values past the longest accepted) before any handler or schema sees it. Upload forms check their
 * fields when the multipart body is read (`readUpload`). Field limits, dates and numbers are each
 * schema's own rules; this is what no schema has to repeat.
 */
export function requestInputProblems(request: FastifyRequest): FieldError[] {
  return [
    ...unsafeTextFields(request.params),
    ...unsafeTextFields(request.query),
    ...(request.isMultipart() ? [] : unsafeTextFields(request.body)),
  ];
}

/**
 * Where a refused form goes back to: the page it was sent from (its Referer, when it is one of
 * Liaison's own pages), else the address it was sent to.
 */
function formPage(request: FastifyRequest): string {
  const referer = request.headers.referer;
  if (typeof referer === 'string') {
    try {
      const url = new URL(referer);
      if (url.host === request.host && !url.pathname.startsWith('//')) return `${url.pathname}${url.search}`;
    } catch {
      // not a URL: fall through
    }
  }
  return request.url.split('?')[0] ?? '/';
}

/**
 * Answers a page request whose input cannot be stored: a form goes back to its page with the GOV.UK
 * error summary and what was typed (less the characters refused); a page asked for with such a query
 * string is a 400 page listing the problems. Nothing is changed either way.
 */
export function refusePageInput(request: FastifyRequest, reply: FastifyReply, problems: FieldError[]): FastifyReply {
  if (request.method === 'GET' || request.method === 'HEAD') {
    return reply.code(400).render('errors/problem.njk', {
      status: 400,
      title: 'There is a problem with the address',
      message: 'The address of this page contains characters that cannot be used. Check it and try again.',
      errors: problems,
    });
  }
  reply.setFlash({ errors: problems, values: keptValues(withoutUnsafeText(request.body)) });
  return reply.redirect(formPage(request), 303);
}
