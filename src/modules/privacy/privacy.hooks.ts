import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Services } from '../../services.ts';
import { MAX_RETURN_LENGTH, countedToday, isStaffOrPortal } from './consent.ts';
import { countedPath, isCountedPageView } from './domain.ts';
import { PrivacyCookies, type PrivacyState } from './privacy.cookies.ts';

/** The privacy settings page: the banner is never shown on it. */
export const SETTINGS_PATH = '/privacy-settings';
/** How often a web process writes the page views it has counted. */
export const FLUSH_SECONDS = 10;

/** What the layout's cookie banner shows: the question, or the confirmation of the choice just made. */
export interface CookieBanner {
  state: 'ask' | 'accepted' | 'rejected';
  /** The page the banner's form sends the visitor back to. */
  returnTo: string;
}

const pathOf = (url: string) => url.split('?')[0] ?? '/';

/**
 * On every page request: reads the visitor's choice, deletes the analytics cookie when analytics
 * are not allowed (no choice, a no, a forged choice or Global Privacy Control), puts the cookie
 * banner in the layout of public pages until the visitor has chosen (then its confirmation, once),
 * and counts public pages answered 200 for visitors who said yes. Counts are written by a timer
 * every FLUSH_SECONDS and when the application closes.
 */
export function registerPrivacy(app: FastifyInstance, services: Services): void {
  const { privacy } = services;
  const { clock, logger } = services.platform;
  const cookies = new PrivacyCookies(services.platform.config);
  const states = new WeakMap<FastifyRequest, PrivacyState>();

  app.addHook('onRequest', async (request, reply) => {
    const path = pathOf(request.url);
    if (path.startsWith('/assets/') || path.startsWith('/api/')) return;
    const state = cookies.read(request);
    states.set(request, state);
    if (!state.analytics && cookies.hasAnalyticsCookie(request)) cookies.deleteAnalytics(reply);
    if (request.method !== 'GET' || isStaffOrPortal(path) || path === SETTINGS_PATH) return;
    // Back to this page with its query; a very long address is cut to its path (`safeReturnPath`).
    const returnTo = request.url.length <= MAX_RETURN_LENGTH ? request.url : path;
    let banner: CookieBanner | null = null;
    if (state.consent === null && !state.gpc) banner = { state: 'ask', returnTo };
    else if (state.consent?.justChosen)
      banner = { state: state.consent.analytics === 'yes' ? 'accepted' : 'rejected', returnTo };
    if (banner && request.layout) request.layout.cookieBanner = banner;
  });

  app.addHook('onSend', async (request, reply, payload) => {
    const state = states.get(request);
    if (!state) return payload;
    const html = String(reply.getHeader('content-type') ?? '').startsWith('text/html');
    // The first page after the choice has shown its confirmation (or, on a page without the banner,
    // had no use for it): the choice is kept without its marker.
    if (state.consent?.justChosen && reply.statusCode === 200 && html)
      cookies.saveChoice(reply, state.consent.analytics, false);
    if (!state.analytics) return payload;
    const view = {
      method: request.method,
      status: reply.statusCode,
      access: request.routeOptions.config.access,
      routeUrl: request.routeOptions.url,
      contentType: reply.getHeader('content-type'),
    };
    if (!isCountedPageView(view)) return payload;
    const day = privacy.today();
    const newVisitor = !countedToday(cookies.analyticsCookieOf(request), day);
    if (newVisitor) cookies.countedToday(reply, day, clock.now());
    privacy.count(day, countedPath(view.routeUrl, request.params), newVisitor);
    return payload;
  });

  let timer: NodeJS.Timeout | null = null;
  const flush = () =>
    privacy.flush().catch((error: unknown) => logger.error({ err: error }, 'analytics: write failed'));
  app.addHook('onReady', async () => {
    timer = setInterval(() => void flush(), FLUSH_SECONDS * 1000);
    timer.unref();
  });
  app.addHook('onClose', async () => {
    if (timer) clearInterval(timer);
    timer = null;
    await flush();
  });
}
