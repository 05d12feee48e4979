import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../support/app.ts';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
  await t.services.jobs.start({ work: false });
});
afterAll(async () => {
  await t.services.jobs.stop();
  await t.close();
});

describe('health probes', () => {
  it('answers /healthz while the process is up, without signing in', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/healthz' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ status: 'ok' });
    expect(res.headers['cache-control']).toBe('no-store');
  });

  it('answers /readyz with 200 when the database and the job queue answer', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/readyz' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ status: 'ready', database: 'ok', queue: 'ok' });
  });

  it('answers /readyz with 503 naming the job queue once it has stopped', async () => {
    await t.services.jobs.stop();
    const res = await t.app.inject({ method: 'GET', url: '/readyz' });
    expect(res.statusCode).toBe(503);
    expect(res.json()).toEqual({ status: 'not ready', database: 'ok', queue: 'unavailable' });
  });

  it('answers /readyz with 503 naming the database when it does not answer', async () => {
    await t.db.close();
    const res = await t.app.inject({ method: 'GET', url: '/readyz' });
    expect(res.statusCode).toBe(503);
    expect(res.json()).toMatchObject({ status: 'not ready', database: 'unavailable' });
    // /healthz still answers: the process is up.
    expect((await t.app.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);
  });
});
