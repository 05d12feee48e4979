import crypto from 'node:crypto';
import path from 'node:path';
import fastifyCookie from '@fastify/cookie';
import fastifyFormbody from '@fastify/formbody';
import fastifyMultipart from '@fastify/multipart';
import fastifyRateLimit from '@fastify/rate-limit';
import fastifyStatic from '@fastify/static';
import type { IncomingMessage, ServerResponse } from 'node:http';
import Fastify, { type RawServerDefault, type FastifyInstance, type FastifyReply } from 'fastify';
import { z } from 'zod';
import type { Config } from '../config.ts';
import type { Services } from '../services.ts';
import { MODULES } from '../modules/index.ts';
import type { Actor } from '../modules/accounts/domain.ts';
import { MAX_UPLOAD_BYTES as MAX_IMPORT_BYTES } from '../modules/authorities/authorities.routes.ts';
import { FLASH_TTL_SECONDS, FormFlashes } from '../platform/flash/form-flashes.ts';
import type { Logger } from '../platform/logger.ts';
import { cookieNames, cookieOptions, secureCookies } from './cookies.ts';
import { csrfTokens } from './csrf.ts';
import { registerApi } from './api.ts';
import { registerErrorHandling } from './errors.ts';
import type { Flash } from './forms.ts';
import { navigationFrom } from './navigation.ts';
import { pageModules } from './modules.ts';
import { PageEncoder } from './page-bytes.ts';
import { registerPages } from './routes.ts';
import { registerPublicPages } from './public-pages.ts';
import { registerSecurityHeaders } from './security.ts';
import { readLeadingFields } from './uploads.ts';
import { ROOT_DIR, createViewEnvironment, layoutChrome } from './views.ts';

export interface SignedInUser {
  id: string;
  displayName: string;
  authorityId: string | null;
  authorityName: string | null;
}

declare module 'fastify' {
  interface FastifyRequest {
    cspNonce: string;
    /** The signed-in actor; null for visitors and for sessions part-way through two-factor sign-in. */
    actor: Actor | null;
    user: SignedInUser | null;
    /** The session row id and stage, when the request carries a live session cookie. */
    session: { id: string; stage: 'mfa' | 'mfa-setup' | 'active'; userId: string } | null;
    csrfToken: string;
    /** The browser's CSRF secret (its cookie), which a form's token must have been made from. */
    csrfSecret: string;
    flash: Flash;
    /**
     * What modules add to every page's layout for this request (a module's `plugins` hook sets its
     * key, e.g. the cookie banner's state); templates read it as `layout.<key>`.
     */
    layout: Record<string, unknown>;
  }
  interface FastifyReply {
    render(template: string, context?: Record<string, unknown>): FastifyReply;
    setFlash(flash: Flash): void;
    startSession(token: string): void;
    endSession(): void;
  }
}

/** The CSRF field of a form body. */
const csrfField = z.object({ _csrf: z.string() });

export async function buildApp(options: {
  config: Config;
  services: Services;
  logger: Logger;
}): Promise<FastifyInstance> {
  const { config, services } = options;
  const secure = secureCookies(config);
  const cookie = cookieNames(secure);
  const csrf = csrfTokens(config.SESSION_SECRET);
  const newCsrfSecret = () => csrf.secretSync();
  const app: FastifyInstance = Fastify<RawServerDefault, IncomingMessage, ServerResponse>({
    loggerInstance: options.logger,
    bodyLimit: config.BODY_LIMIT_BYTES,
    // A number of proxies becomes Fastify's documented trust function: the socket's peer and the
    // entries the other trusted proxies added are trusted, the next entry is the client.
    trustProxy:
      typeof config.TRUST_PROXY === 'number'
        ? (
            (hops: number) => (_address: string, hop: number) =>
              hop < hops
          )(config.TRUST_PROXY)
        : config.TRUST_PROXY,
    // Liaison names every request itself; an id sent by the client is only logged beside it.
    genReqId: () => crypto.randomUUID(),
    childLoggerFactory: (logger, bindings, childOptions, rawRequest) => {
      const sent = rawRequest.headers['x-request-id'];
      const clientRequestId = typeof sent === 'string' && /^[\w.-]{1,64}$/.test(sent) ? sent : undefined;
      return logger.child(clientRequestId ? { ...bindings, clientRequestId } : bindings, childOptions);
    },
    routerOptions: { ignoreTrailingSlash: true },
  });
  const views = createViewEnvironment();
  const navigationFor = navigationFrom(MODULES.flatMap((m) => m.navigation ?? []));
  const pageEncoder = new PageEncoder();

  // 1. Security headers and the CSP nonce.
  registerSecurityHeaders(app, { production: config.production });
  app.addHook('onSend', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });

  // 2. Bodies and cookies.
  await app.register(fastifyCookie);
  await app.register(fastifyFormbody);
  // Uploads are streamed by the route that takes them, after its access and CSRF checks; each sets its own size limit.
  await app.register(fastifyMultipart, { limits: { files: 1, fields: 20 } });
  // Rate limits apply only where a route asks for one (anonymous uploads: `perAddressLimit` in uploads.ts).
  await app.register(fastifyRateLimit, { global: false });

  // 3. Static assets: Liaison's compiled stylesheet and scripts, then GOV.UK and MOJ assets.
  await app.register(fastifyStatic, {
    root: [
      path.join(ROOT_DIR, 'public'),
      path.join(ROOT_DIR, 'node_modules/govuk-frontend/dist/govuk/assets'),
      path.join(ROOT_DIR, 'node_modules/@ministryofjustice/frontend/moj/assets'),
    ],
    prefix: '/assets/',
    maxAge: config.production ? '1d' : 0,
  });
  app.addHook('onRoute', (route) => {
    // Static files are public by nature; everything else declares its access through registerPages or the API.
    if (route.url.startsWith('/assets/')) route.config = { ...route.config, access: 'public' };
  });

  // 4. Session: resolve the cookie to an actor once per request.
  app.decorateRequest('actor', null);
  app.decorateRequest('user', null);
  app.decorateRequest('session', null);
  app.decorateRequest('csrfToken', '');
  app.decorateRequest('csrfSecret', '');
  app.decorateRequest('flash', null as unknown as Flash); // set on every request (below)
  app.decorateRequest('layout', null as unknown as Record<string, unknown>); // set on every request (below)
  // Signing in or out also gives the browser a new CSRF secret.
  app.decorateReply('startSession', function (this: FastifyReply, token: string) {
    this.setCookie(cookie.session, token, cookieOptions(secure));
    this.setCookie(cookie.csrf, newCsrfSecret(), cookieOptions(secure));
  });
  app.decorateReply('endSession', function (this: FastifyReply) {
    this.clearCookie(cookie.session, cookieOptions(secure));
    this.setCookie(cookie.csrf, newCsrfSecret(), cookieOptions(secure));
  });
  app.addHook('onRequest', async (request, reply) => {
    request.flash = {};
    request.layout = {};
    if (request.url.startsWith('/assets/') || request.url.startsWith('/api/')) return;
    const token = request.cookies[cookie.session];
    if (!token) return;
    const resolved = await services.accounts.resolveSession(token);
    if (!resolved) {
      reply.clearCookie(cookie.session, cookieOptions(secure));
      return;
    }
    request.session = { id: resolved.sessionId, stage: resolved.stage, userId: resolved.user.id };
    if (resolved.stage === 'active') {
      request.actor = { ...resolved.actor, requestId: request.id };
      request.user = resolved.user;
    }
  });

  // 5. CSRF (`@fastify/csrf`): a random secret in a cookie per browser; each page's forms carry a
  // token made from it (salted, so no two pages carry the same). Checked on every unsafe page request.
  app.addHook('onRequest', async (request, reply) => {
    if (request.url.startsWith('/assets/') || request.url.startsWith('/api/')) return;
    const kept = request.cookies[cookie.csrf];
    let secret = kept !== undefined && /^[\w-]{43}$/.test(kept) ? kept : null;
    if (secret === null) {
      secret = newCsrfSecret();
      reply.setCookie(cookie.csrf, secret, cookieOptions(secure));
    }
    request.csrfSecret = secret;
    request.csrfToken = csrf.create(secret);
  });
  // The largest file any upload route accepts: the parser passes no more on; each route applies its own limit.
  const uploadCeilingBytes = Math.max(services.files.settings.maxBytes, MAX_IMPORT_BYTES);
  app.addHook('preHandler', async (request, reply) => {
    if (request.method === 'GET' || request.method === 'HEAD' || request.url.startsWith('/api/')) return;
    // An upload form (multipart) carries its token in a field before its file: the fields are read up
    // to the file and checked before the route accepts the file. Never in the address.
    if (request.isMultipart()) {
      const leading = await readLeadingFields(request, uploadCeilingBytes);
      const sent = leading?.fields._csrf;
      if (sent === undefined || !csrf.verify(request.csrfSecret, sent)) {
        leading?.discard();
        return reply.code(403).render('errors/csrf.njk', {});
      }
      return;
    }
    const sent = csrfField.safeParse(request.body).data?._csrf;
    if (sent === undefined || !csrf.verify(request.csrfSecret, sent)) {
      return reply.code(403).render('errors/csrf.njk', {});
    }
  });

  // 6. Flash (one request long) and rendering. A flash is kept on the server (`services.formFlashes`):
  // the browser holds only its random key, whatever was typed, and the next page request reads and
  // deletes it. setFlash names the key at once; the flash is stored before the response is sent.
  const pendingFlashes = new WeakMap<FastifyReply, { key: string; flash: Flash }>();
  app.addHook('onRequest', async (request, reply) => {
    if (request.url.startsWith('/assets/') || request.url.startsWith('/api/')) return;
    const key = request.cookies[cookie.flash];
    if (!key) return;
    const kept = await services.formFlashes.take(key);
    if (kept) request.flash = kept;
    reply.clearCookie(cookie.flash, cookieOptions(secure));
  });
  app.decorateReply('setFlash', function (this: FastifyReply, flash: Flash) {
    const key = pendingFlashes.get(this)?.key ?? FormFlashes.newKey();
    pendingFlashes.set(this, { key, flash });
    this.setCookie(cookie.flash, key, cookieOptions(secure, FLASH_TTL_SECONDS));
  });
  app.addHook('onSend', async (_request, reply) => {
    const pending = pendingFlashes.get(reply);
    if (!pending) return;
    pendingFlashes.delete(reply);
    await services.formFlashes.keep(pending.key, { ...pending.flash });
  });
  app.decorateReply('render', function (this: FastifyReply, template: string, context: Record<string, unknown> = {}) {
    const request = this.request;
    const navigation = navigationFor(request.actor, request.url);
    const html = views.render(template, {
      cspNonce: request.cspNonce,
      csrfToken: request.csrfToken,
      currentUser: request.user,
      currentPath: request.url.split('?')[0],
      navigation,
      layout: request.layout,
      // The header and service navigation depend on the navigation alone: rendered once per state, kept.
      layoutChrome: layoutChrome(navigation),
      errors: request.flash.errors ?? [],
      values: request.flash.values ?? {},
      notice: request.flash.notice,
      ...context,
    });
    // Encoded once here: sent as a string, the page would be measured for its length and then encoded again.
    return this.type('text/html; charset=utf-8').send(pageEncoder.encode(html));
  });

  // Public pages kept whole for visitors (routes opt in with `page({ publicCache: true })`).
  registerPublicPages(app, { clock: services.platform.clock, ttlSeconds: config.PUBLIC_PAGE_CACHE_SECONDS });

  // 7. What modules add to every request (their manifests' `plugins`), then routes, module by module.
  for (const module of MODULES) await module.plugins?.(app, services);
  for (const routes of pageModules(services)) registerPages(app, routes);
  await registerApi(app, services);

  // 8. Errors and unknown routes.
  registerErrorHandling(app);

  return app;
}
