import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import { loadConfig, type Config } from '../../src/config.ts';
import { createServices, type Services } from '../../src/composition.ts';
import { buildApp } from '../../src/http/app.ts';
import { cookieNames, type CookieNames } from '../../src/http/cookies.ts';
import { csrfTokens } from '../../src/http/csrf.ts';
import { FixedClock, systemClock, type Clock } from '../../src/platform/clock.ts';
import type { Db } from '../../src/platform/db/database.ts';
import { createLogger } from '../../src/platform/logger.ts';
import { createTestDb } from './db.ts';

export const TEST_SECRET = 'test-secret-test-secret-test-secret-0123';
const testCsrf = csrfTokens(TEST_SECRET);

export function testConfig(overrides: Record<string, string> = {}): Config {
  return loadConfig({
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    PORT: '0',
    SESSION_SECRET: TEST_SECRET,
    DATA_DIR: 'tmp/test-data',
    MAIL_IN_PORT: '0',
    // Pages show each change at once in tests; the snapshot lifetime has its own unit test.
    DASHBOARD_CACHE_SECONDS: '0',
    SESSION_CACHE_MS: '0',
    PUBLIC_PAGE_CACHE_SECONDS: '0',
    ...overrides,
  });
}

export interface TestApp {
  app: FastifyInstance;
  services: Services;
  db: Db;
  config: Config;
  clock: Clock;
  close(): Promise<void>;
}

/** The whole application over a fresh real database, driven with app.inject (no network). */
export async function createTestApp(
  options: { clock?: Clock | FixedClock; env?: Record<string, string>; db?: Db } = {},
): Promise<TestApp> {
  const db = options.db ?? (await createTestDb());
  const config = testConfig(options.env);
  const clock = options.clock ?? systemClock;
  const logger = createLogger('silent');
  const services = createServices({ config, db, clock, logger });
  const app = await buildApp({ config, services, logger });
  await app.ready();
  return {
    app,
    services,
    db,
    config,
    clock,
    close: async () => {
      await app.close();
      await db.close();
    },
  };
}

/**
 * A browser-like client for app.inject: keeps cookies between requests and adds the CSRF token to
 * every form it posts, as a page's hidden field would. Cookie names are those over plain http
 * unless the application sets Secure cookies (`cookieNames(true)`: the `__Host-` names).
 */
export class TestClient {
  readonly cookies: Map<string, string>;

  constructor(
    private readonly app: FastifyInstance,
    private readonly names: CookieNames = cookieNames(false),
  ) {
    this.cookies = new Map<string, string>([[names.csrf, 'c'.repeat(43)]]);
  }

  /** A token made from the browser's CSRF secret, as a page's form would carry (a fresh one each time). */
  get csrfToken(): string {
    return testCsrf.create(this.cookies.get(this.names.csrf) ?? 'c'.repeat(43));
  }

  /** Whether a form token was made from this browser's CSRF secret (so its forms are accepted). */
  ownsCsrfToken(token: string | undefined): boolean {
    return token !== undefined && testCsrf.verify(this.cookies.get(this.names.csrf) ?? '', token);
  }

  withSession(token: string): this {
    this.cookies.set(this.names.session, token);
    return this;
  }

  async request(options: InjectOptions): Promise<LightMyRequestResponse> {
    const response = await this.app.inject({
      ...options,
      cookies: Object.fromEntries(this.cookies),
    });
    for (const c of response.cookies) {
      const expired = c.maxAge === 0 || (c.expires !== undefined && c.expires.getTime() < Date.now()) || c.value === '';
      if (expired) this.cookies.delete(c.name);
      else this.cookies.set(c.name, c.value);
    }
    return response;
  }

  get(url: string, headers: Record<string, string> = {}) {
    return this.request({ method: 'GET', url, headers });
  }

  /** Posts a form as a browser would, with the CSRF field unless `csrf: false`. */
  post(url: string, form: Record<string, string | string[]>, options: { csrf?: boolean } = {}) {
    const body = new URLSearchParams();
    for (const [k, v] of Object.entries(form)) for (const item of Array.isArray(v) ? v : [v]) body.append(k, item);
    if (options.csrf !== false && !('_csrf' in form)) body.append('_csrf', this.csrfToken);
    return this.request({
      method: 'POST',
      url,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: body.toString(),
    });
  }
}
