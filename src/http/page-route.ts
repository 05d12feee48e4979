import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { Actor } from '../modules/accounts/domain.ts';
import { DomainError, notFound } from '../platform/errors.ts';
import { handleForm, zodFieldErrors } from './forms.ts';
import { actorOf, type Access, type PageRoute } from './routes.ts';

/**
 * Typed page routes. A page or form declares what it reads from the request as zod schemas (path
 * parameters, query string, form body); its handler receives them parsed and typed, so no route
 * reads `request.params`, `request.query` or `request.body` itself. A path parameter that does not
 * parse is a page that does not exist (404); a query string that does not parse is a 400 page
 * listing the problems; a form body that does not parse goes back to the form with the GOV.UK error
 * summary and what was typed.
 */

type Schema = z.ZodType;
const EMPTY = z.object({});
type Empty = typeof EMPTY;

/** Who is asking: on a route open to the public, possibly no one. */
type ActorFor<A extends Access> = A extends 'public' ? Actor | null : Actor;

export interface PageInput<A extends Access, P extends Schema, Q extends Schema> {
  actor: ActorFor<A>;
  params: z.output<P>;
  query: z.output<Q>;
}

export interface PageSpec<A extends Access, P extends Schema, Q extends Schema> {
  url: string;
  access: A;
  /** Refused callers get a 404, as if the page did not exist (see `PageRoute.hidden`). */
  hidden?: boolean;
  /**
   * The page is the same for every visitor who is not signed in: kept whole for a few seconds and
   * sent again without running the handler (`src/http/public-pages.ts`). Public pages only.
   */
  publicCache?: A extends 'public' ? boolean : never;
  params?: P;
  query?: Q;
  handler: (input: PageInput<A, P, Q>, request: FastifyRequest, reply: FastifyReply) => Promise<unknown>;
}

/** A GET page. */
export function page<A extends Access, P extends Schema = Empty, Q extends Schema = Empty>(
  spec: PageSpec<A, P, Q>,
): PageRoute {
  return {
    method: 'GET',
    url: spec.url,
    access: spec.access,
    ...(spec.hidden ? { hidden: true } : {}),
    ...(spec.publicCache ? { publicCache: true } : {}),
    handler: async (request, reply) =>
      spec.handler(
        {
          actor: actorFor(spec.access, request),
          params: parseParams(spec.params, request.params),
          query: parseQuery(spec.query, request.query),
        },
        request,
        reply,
      ),
  };
}

export interface FormInput<A extends Access, P extends Schema, B extends Schema, Q extends Schema = Empty> {
  actor: ActorFor<A>;
  params: z.output<P>;
  query: z.output<Q>;
  body: z.output<B>;
  /** The form's own page, where errors go back to (often where it goes once done, too). */
  back: string;
}

/** Where a form goes once done, with the notice the next page shows. */
export interface Done {
  to: string;
  notice?: string;
}

export interface FormSpec<A extends Access, P extends Schema, B extends Schema, Q extends Schema = Empty> {
  url: string;
  access: A;
  /** Refused callers get a 404, as if the form did not exist (see `PageRoute.hidden`). */
  hidden?: boolean;
  params?: P;
  /** The form's own address may carry a query string too (e.g. `?change=1` from check your answers). */
  query?: Q;
  body: B;
  /** Larger body limit for uploads, in bytes. */
  bodyLimit?: number;
  /**
   * Where errors go back to (the form's own page), worked out before the body is parsed. `sent` is
   * the body as sent, unchecked: only for carrying a field back to the page (the words an authority
   * picker had searched for, the page sign-in was to go on to), never for acting on.
   */
  back:
    | string
    | ((input: {
        actor: ActorFor<A>;
        params: z.output<P>;
        query: z.output<Q>;
        sent: unknown;
      }) => string | Promise<string>);
  /** Does what the form asks; returns where to go next (and the notice to show there). */
  action: (input: FormInput<A, P, B, Q>, request: FastifyRequest, reply: FastifyReply) => Promise<string | Done>;
}

/**
 * A POST form, post/redirect/get: a body that does not parse, or a validation or conflict error
 * from the action, goes back to `back` with the messages and the input kept; success redirects to
 * where the action says, with its notice.
 */
export function form<A extends Access, P extends Schema = Empty, B extends Schema = Empty, Q extends Schema = Empty>(
  spec: FormSpec<A, P, B, Q>,
): PageRoute {
  return {
    method: 'POST',
    url: spec.url,
    access: spec.access,
    ...(spec.hidden ? { hidden: true } : {}),
    ...(spec.bodyLimit ? { bodyLimit: spec.bodyLimit } : {}),
    handler: async (request, reply) => {
      const actor = actorFor(spec.access, request);
      const params = parseParams(spec.params, request.params);
      const query = parseQuery(spec.query, request.query);
      const back =
        typeof spec.back === 'string' ? spec.back : await spec.back({ actor, params, query, sent: request.body });
      return handleForm(request, reply, back, async () => {
        const parsed = spec.body.safeParse(request.body ?? {});
        if (!parsed.success) throw new DomainError('validation', 'There is a problem', zodFieldErrors(parsed.error));
        const done = await spec.action({ actor, params, query, body: parsed.data, back }, request, reply);
        if (typeof done === 'string') return done;
        if (done.notice !== undefined) reply.setFlash({ notice: done.notice });
        return done.to;
      });
    },
  };
}

function actorFor<A extends Access>(access: A, request: FastifyRequest): ActorFor<A> {
  // registerPages has checked the access: only a public route may be reached by no one.
  return (access === 'public' ? request.actor : actorOf(request)) as ActorFor<A>;
}

function parseParams<P extends Schema>(schema: P | undefined, value: unknown): z.output<P> {
  const parsed = (schema ?? EMPTY).safeParse(value ?? {});
  if (!parsed.success) throw notFound();
  return parsed.data as z.output<P>;
}

function parseQuery<Q extends Schema>(schema: Q | undefined, value: unknown): z.output<Q> {
  const parsed = (schema ?? EMPTY).safeParse(value ?? {});
  if (!parsed.success)
    throw new DomainError('validation', 'The address is not one this page understands', zodFieldErrors(parsed.error));
  return parsed.data as z.output<Q>;
}

/** The path parameters of a route about one record: `/…/:id`. */
export const withId = z.object({ id: z.uuid() });
