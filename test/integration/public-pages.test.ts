import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Actor } from '../../src/modules/accounts/domain.ts';
import type { PublicationInput } from '../../src/modules/publications/publications.service.ts';
import { FixedClock } from '../../src/platform/clock.ts';
import { TestClient, createTestApp, type TestApp } from '../support/app.ts';
import { createSession, createUser } from '../support/factories.ts';

// Public pages kept whole for PUBLIC_PAGE_CACHE_SECONDS: what visitors and staff see.
const clock = new FixedClock(new Date('2027-04-06T11:00:00Z'));
let t: TestApp;
let editor: Actor;
let editorSession = '';
let publicationId = '';

const input = (title: string): PublicationInput => ({
  kind: 'guidance-note',
  title,
  summary: 'How councils should answer people.',
  body: 'Answer people within the time you promised.',
  topics: [],
  councillorQuestions: [],
  partners: [],
});

const visitor = (csrf: string) => {
  const client = new TestClient(t.app);
  client.cookies.set('liaison_csrf', csrf.repeat(43));
  return client;
};
const csrfFieldOf = (html: string) => /name="_csrf" value="([^"]+)"/.exec(html)?.[1];
const nonceOf = (html: string) => / nonce="([^"]+)"/.exec(html)?.[1];

beforeAll(async () => {
  t = await createTestApp({ clock, env: { PUBLIC_PAGE_CACHE_SECONDS: '5' } });
  const user = await createUser(t.services, { role: 'relationship-lead' });
  editor = { type: 'user', id: user.id, roles: ['relationship-lead'], authorityId: null };
  editorSession = await createSession(t.db, user.id, clock.now());
  publicationId = (await t.services.publications.createDraft(editor, input('Answering on time'))).id;
  await t.services.publications.publish(editor, publicationId, null);
});
afterAll(async () => {
  await t.close();
});

describe('public pages kept whole', () => {
  it('sends every visitor the kept page with their own form token and script nonce', async () => {
    const first = visitor('a');
    const second = visitor('b');
    const one = await first.get('/publications/answering-on-time');
    expect(one.statusCode).toBe(200);
    const before = t.app.publicPages.stats();
    const two = await second.get('/publications/answering-on-time');
    expect(two.statusCode).toBe(200);
    expect(t.app.publicPages.stats().hits).toBe(before.hits + 1);

    // The cookie banner's form carries each visitor's own token, so each can answer it.
    const [tokenOne, tokenTwo] = [csrfFieldOf(one.body), csrfFieldOf(two.body)];
    expect(first.ownsCsrfToken(tokenOne)).toBe(true);
    expect(second.ownsCsrfToken(tokenTwo)).toBe(true);
    expect(second.ownsCsrfToken(tokenOne)).toBe(false);
    expect(tokenOne).not.toBe(tokenTwo);
    const answered = await second.post('/privacy-settings/banner', {
      analytics: 'no',
      returnTo: '/publications/answering-on-time',
    });
    expect(answered.statusCode).toBe(303);

    // The inline script runs under this response's policy, never another's.
    const nonce = nonceOf(two.body);
    expect(nonce).toBeTruthy();
    expect(nonce).not.toBe(nonceOf(one.body));
    expect(String(two.headers['content-security-policy'])).toContain(`'nonce-${nonce}'`);

    // Apart from those two values, the page is the one the first visitor had.
    const strip = (html: string) =>
      html.replaceAll(csrfFieldOf(html) ?? '', 'TOKEN').replaceAll(nonceOf(html) ?? '', 'NONCE');
    expect(strip(two.body)).toBe(strip(one.body));
  });

  it('shows a change once the kept page is older than the setting, and staff see it at once', async () => {
    const reader = visitor('c');
    expect((await reader.get('/publications/answering-on-time')).body).toContain('Answering on time');
    await t.services.publications.correct(
      editor,
      publicationId,
      { ...input('Answering on time'), body: 'Answer people within twenty working days.' },
      'We gave the wrong time.',
    );

    // Within the five seconds, visitors may still be sent the page as it was...
    clock.advance(2_000);
    expect((await reader.get('/publications/answering-on-time')).body).not.toContain('twenty working days');
    // ...while a signed-in editor's page is never a kept one.
    const staff = visitor('d').withSession(editorSession);
    const staffPage = await staff.get('/publications/answering-on-time');
    expect(staffPage.statusCode).toBe(200);
    expect(staffPage.body).toContain('twenty working days');

    clock.advance(3_000);
    const later = await reader.get('/publications/answering-on-time');
    expect(later.body).toContain('twenty working days');
    expect(later.body).toContain('We gave the wrong time.');
  });

  it('never keeps a page that is not a 200, nor one showing a problem', async () => {
    const reader = visitor('e');
    const missing = await reader.get('/publications/no-such-thing');
    expect(missing.statusCode).toBe(404);
    const bad = await reader.get('/publications?topic=not-a-topic');
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('Choose a topic from the list');
    const pages = t.app.publicPages.stats().pages;
    await reader.get('/publications/no-such-thing');
    await reader.get('/publications?topic=not-a-topic');
    expect(t.app.publicPages.stats().pages).toBe(pages);
  });
});
