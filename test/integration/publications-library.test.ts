import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Actor } from '../../src/modules/accounts/domain.ts';
import type { PublicationInput } from '../../src/modules/publications/publications.service.ts';
import { FixedClock } from '../../src/platform/clock.ts';
import { createTestApp, type TestApp } from '../support/app.ts';
import { createAuthority, createUser } from '../support/factories.ts';

// Tuesday 6 April 2027, 12:00 in London (BST).
const clock = new FixedClock(new Date('2027-04-06T11:00:00Z'));
let t: TestApp;
let editor: Actor;
let editorToken = '';
let authorityToken = '';

beforeAll(async () => {
  t = await createTestApp({ clock });
  const user = await createUser(t.services, { role: 'relationship-lead' });
  editor = { type: 'user', id: user.id, roles: ['relationship-lead'], authorityId: null };
  editorToken = (
    await t.services.apiTokens.createFromCommandLine({ name: 'Website', role: 'relationship-lead', authorityId: null })
  ).token;
  const authorityId = await createAuthority(t.db);
  authorityToken = (
    await t.services.apiTokens.createFromCommandLine({ name: 'Council', role: 'link-officer', authorityId })
  ).token;
});
afterAll(async () => {
  await t.close();
});

const input = (overrides: Partial<PublicationInput>): PublicationInput => ({
  kind: 'guidance-note',
  title: 'Untitled',
  summary: 'A summary.',
  body: 'Some text.',
  topics: [],
  councillorQuestions: [],
  partners: [],
  ...overrides,
});

/** Publishes at `at` (the clock stands there for the moment), then puts the clock back. */
async function publishedAt(at: string, overrides: Partial<PublicationInput>): Promise<string> {
  const now = clock.now();
  clock.set(new Date(at));
  const { id } = await t.services.publications.createDraft(editor, input(overrides));
  await t.services.publications.publish(editor, id, null);
  clock.set(now);
  return id;
}

const api = (method: 'GET' | 'POST', url: string, body?: unknown, token = editorToken) =>
  t.app.inject({
    method,
    url,
    headers: token ? { authorization: `Bearer ${token}` } : {},
    ...(body === undefined ? {} : { payload: body as Record<string, unknown> }),
  });

describe('the public library', () => {
  beforeAll(async () => {
    await publishedAt('2026-05-01T09:00:00Z', {
      title: 'Handling complaints well',
      kind: 'good-practice-guide',
      topics: ['complaint-handling'],
      body: 'How councils answer people.',
    });
    await publishedAt('2026-06-01T09:00:00Z', {
      title: 'Parking permits',
      topics: ['highways-transport'],
      body: 'Residents wrote to us with complaints about parking permits being refused without reasons.',
    });
    await publishedAt('2027-01-10T09:00:00Z', {
      title: 'School transport for children with special needs',
      kind: 'focus-report',
      topics: ['education'],
      body: 'Families told us about long journeys. <b>Bold</b> <script>alert(1)</script> & more.',
    });
    for (let i = 1; i <= 25; i++)
      await publishedAt(`2027-02-${String(i).padStart(2, '0')}T09:00:00Z`, {
        title: `Bulletin ${i}`,
        kind: 'annual-report',
        body: 'Numbers for the year.',
      });
  });

  it('finds by a stemmed word, and ranks a match in the title above one in the text', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/publications?q=complaining' });
    expect(res.statusCode).toBe(200);
    const handling = res.body.indexOf('Handling complaints well');
    const parking = res.body.indexOf('Parking permits');
    expect(handling).toBeGreaterThan(-1);
    expect(parking).toBeGreaterThan(-1);
    expect(handling).toBeLessThan(parking);
    expect(res.body).not.toContain('School transport');
  });

  it('highlights the words found in a snippet, escaping the text around them', async () => {
    const parking = await t.app.inject({ method: 'GET', url: '/publications?q=refused' });
    expect(parking.body).toContain('<mark>refused</mark>');
    const school = await t.app.inject({ method: 'GET', url: '/publications?q=journeys' });
    expect(school.body).toContain('<mark>journeys</mark>');
    expect(school.body).not.toContain('<script>alert');
    expect(school.body).not.toMatch(/<b>Bold<\/b>/);
  });

  it('filters by kind, topic and year', async () => {
    const kind = await t.app.inject({ method: 'GET', url: '/publications?kind=focus-report' });
    expect(kind.body).toContain('School transport');
    expect(kind.body).not.toContain('Parking permits');
    const topic = await t.app.inject({ method: 'GET', url: '/publications?topic=highways-transport' });
    expect(topic.body).toContain('Parking permits');
    expect(topic.body).not.toContain('Handling complaints well');
    const year = await t.app.inject({ method: 'GET', url: '/publications?year=2026' });
    expect(year.body).toContain('Parking permits');
    expect(year.body).not.toContain('School transport');
  });

  it('pages newest first with a cursor, without repeating or missing any', async () => {
    const seen: string[] = [];
    let url: string | null = '/publications?kind=annual-report';
    while (url) {
      const res: { body: string } = await t.app.inject({ method: 'GET', url });
      seen.push(...[...res.body.matchAll(/>(Bulletin \d+)</g)].map((m) => m[1] ?? ''));
      const next: string | undefined = /href="([^"]+)" rel="next"/.exec(res.body)?.[1];
      url = next ? next.replaceAll('&amp;', '&') : null;
    }
    expect(seen).toEqual(Array.from({ length: 25 }, (_, i) => `Bulletin ${25 - i}`));
  });

  it('pages through a search, title matches first, then those matching in their text, none twice', async () => {
    const seen: string[] = [];
    let url: string | null = '/publications?q=bulletin+or+journeys';
    while (url) {
      const res: { body: string } = await t.app.inject({ method: 'GET', url });
      seen.push(
        ...[...res.body.matchAll(/<a class="govuk-link" href="\/publications\/[^"]+">([^<]+)</g)].map(
          (m) => m[1] ?? '',
        ),
      );
      const next: string | undefined = /href="([^"]+)" rel="next"/.exec(res.body)?.[1];
      url = next ? next.replaceAll('&amp;', '&') : null;
    }
    expect(seen).toHaveLength(26);
    expect(new Set(seen).size).toBe(26);
    expect(seen[25]).toBe('School transport for children with special needs');
  });

  it('answers an unknown kind, topic or year with the problem, not an error', async () => {
    for (const query of ['kind=pamphlet', 'topic=astrology', 'year=abc', 'cursor=garbage']) {
      const res = await t.app.inject({ method: 'GET', url: `/publications?${query}` });
      expect(res.statusCode, query).toBe(400);
    }
  });
});

describe('the API', () => {
  it('writes a draft, publishes it, and lists it to anyone', async () => {
    const created = await api('POST', '/api/v1/publications', {
      kind: 'joint-report',
      title: 'Working together on hospital discharge',
      summary: 'With the health service ombudsman.',
      body: '## Findings\n\nDischarges were rushed.',
      topics: ['adult-social-care'],
      councillorQuestions: ['Who plans discharges?'],
      partners: ['Health Service Ombudsman'],
    });
    expect(created.statusCode).toBe(201);
    const draft = created.json<{ id: string; slug: string; status: string }>();
    expect(draft).toMatchObject({ slug: 'working-together-on-hospital-discharge', status: 'draft' });
    const listedBefore = await api('GET', '/api/v1/publications?q=discharge', undefined, '');
    expect(listedBefore.json<{ items: unknown[] }>().items).toEqual([]);
    const published = await api('POST', `/api/v1/publications/${draft.id}/publish`, {});
    expect(published.statusCode).toBe(200);
    expect(published.json()).toEqual({
      status: 'published',
      url: `${t.config.BASE_URL}/publications/working-together-on-hospital-discharge`,
    });
    const listed = await api('GET', '/api/v1/publications?q=discharged&kind=joint-report', undefined, '');
    expect(listed.statusCode).toBe(200);
    const body = listed.json<{ items: { slug: string; kind: string; url: string }[]; next?: string }>();
    expect(body.items.map((i) => i.slug)).toEqual(['working-together-on-hospital-discharge']);
    expect(body.next).toBeUndefined();
  });

  it('schedules with a time to come and refuses one in the past', async () => {
    const { id } = await t.services.publications.createDraft(editor, input({ title: 'Scheduled by the API' }));
    const past = await api('POST', `/api/v1/publications/${id}/publish`, { publishAt: '2027-04-01T09:00:00+01:00' });
    expect(past.statusCode).toBe(400);
    expect(past.headers['content-type']).toContain('application/problem+json');
    const future = await api('POST', `/api/v1/publications/${id}/publish`, { publishAt: '2027-05-01T09:00:00+01:00' });
    expect(future.json()).toMatchObject({ status: 'scheduled' });
    const listed = await api('GET', '/api/v1/publications?q=scheduled', undefined, '');
    expect(listed.json<{ items: unknown[] }>().items).toEqual([]);
  });

  it('answers bad input with problem+json naming the field, and writes nothing', async () => {
    const count = async () =>
      (
        await t.db.kysely
          .selectFrom('publications')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .executeTakeFirstOrThrow()
      ).n;
    const before = await count();
    const good = { kind: 'guidance-note', title: 'Fine', summary: 'S', body: 'B' };
    const cases: [Record<string, unknown>, string][] = [
      [{ ...good, kind: 'pamphlet' }, 'kind'],
      [{ ...good, title: '' }, 'title'],
      [{ ...good, topics: ['astrology'] }, 'topics'],
      [{ ...good, kind: 'joint-report' }, 'partners'],
    ];
    for (const [body, field] of cases) {
      const res = await api('POST', '/api/v1/publications', body);
      expect(res.statusCode, field).toBe(400);
      expect(res.json<{ errors: { field: string }[] }>().errors.map((e) => e.field)).toContain(field);
    }
    expect(await count()).toBe(before);
  });

  it('is described in the OpenAPI document', async () => {
    const doc = await api('GET', '/api/v1/openapi.json', undefined, '');
    expect(doc.statusCode).toBe(200);
    const paths = Object.keys(doc.json<{ paths: Record<string, unknown> }>().paths);
    expect(paths).toEqual(expect.arrayContaining(['/publications', '/publications/{id}/publish']));
  });

  it('keeps drafting from authority tokens and from callers without a token', async () => {
    const body = { kind: 'guidance-note', title: 'Not allowed', summary: 'S', body: 'B' };
    expect((await api('POST', '/api/v1/publications', body, authorityToken)).statusCode).toBe(403);
    expect((await api('POST', '/api/v1/publications', body, '')).statusCode).toBe(401);
  });
});
