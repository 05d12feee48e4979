import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FixedClock } from '../../src/platform/clock.ts';
import { DomainError } from '../../src/platform/errors.ts';
import { createTestApp, TestClient, type TestApp } from '../support/app.ts';
import { createAuthority, createSession, createUser } from '../support/factories.ts';
import type { Actor, Role } from '../../src/modules/accounts/domain.ts';

// Monday 1 March 2027, 10:00 in London (GMT).
const clock = new FixedClock(new Date('2027-03-01T10:00:00Z'));
let t: TestApp;
const users = new Map<Role, string>();
let leadActor: Actor;

beforeAll(async () => {
  t = await createTestApp({ clock });
  const authorityId = await createAuthority(t.db);
  for (const role of ['relationship-lead', 'casework-manager', 'investigator', 'link-officer'] as const)
    users.set(role, (await createUser(t.services, { role, authorityId })).id);
  leadActor = {
    type: 'user',
    id: users.get('relationship-lead') ?? '',
    roles: ['relationship-lead'],
    authorityId: null,
  };
  await signInAll();
});

let lead: TestClient;
let manager: TestClient;
let investigator: TestClient;
let linkOfficer: TestClient;
let visitor: TestClient;

/** Signs each browser in afresh at the clock's time (sessions expire as the test's clock moves). */
async function signInAll(): Promise<void> {
  const session = async (role: Role) => createSession(t.db, users.get(role) ?? '', clock.now());
  lead = new TestClient(t.app).withSession(await session('relationship-lead'));
  manager = new TestClient(t.app).withSession(await session('casework-manager'));
  investigator = new TestClient(t.app).withSession(await session('investigator'));
  linkOfficer = new TestClient(t.app).withSession(await session('link-officer'));
  visitor = new TestClient(t.app);
}
afterAll(async () => {
  await t.close();
});

const focusReport = {
  kind: 'focus-report',
  title: 'Out of sight: complaints about home care',
  summary: 'What complaints about home care visits tell councils about commissioning.',
  body:
    '## Summary\n\nMost complaints were about missed visits.\n\n## What we found\n\nCarers arrived late.\n\n' +
    '## What councils should do\n\n| Step | When |\n|---|---|\n| Review rotas | Monthly |\n\n' +
    'Hello <script>alert("x")</script> <img src=x onerror=alert(1)> [bad](javascript:alert(1)) ' +
    '<iframe src="https://example.com"></iframe> the end.',
  topics: ['adult-social-care', 'complaint-handling'],
  councillorQuestions: '1. How many home care visits were missed last year?\n2. Who checks the rotas?',
  partners: '',
};

const idFrom = (location: string | undefined) =>
  /\/staff\/publications\/([0-9a-f-]{36})$/.exec(location ?? '')?.[1] ?? '';

async function auditCount(): Promise<number> {
  const row = await t.db.kysely
    .selectFrom('audit_events')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('record_type', '=', 'publication')
    .executeTakeFirstOrThrow();
  return row.n;
}

async function publicationCount(): Promise<number> {
  const row = await t.db.kysely
    .selectFrom('publications')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  return row.n;
}

describe('the editorial workflow', () => {
  let id = '';
  const slug = 'out-of-sight-complaints-about-home-care';

  it('lets the relationship lead draft a focus report with questions for councillors', async () => {
    const res = await lead.post('/staff/publications/new', focusReport);
    expect(res.statusCode).toBe(303);
    id = idFrom(res.headers.location);
    expect(id).not.toBe('');
    const page = await lead.get(`/staff/publications/${id}`);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Draft');
    expect(page.body).toContain(`/publications/${slug}`);
  });

  it('keeps a draft from the public, authority users and staff who are not editors', async () => {
    for (const who of [visitor, linkOfficer, investigator]) {
      expect((await who.get(`/publications/${slug}`)).statusCode).toBe(404);
      expect((await who.get(`/staff/publications/${id}/preview`)).statusCode).toBe(404);
      expect((await who.get(`/staff/publications/${id}`)).statusCode).toBe(404);
      expect((await who.get('/staff/publications/new')).statusCode).toBe(404);
      expect((await who.get('/staff/publications')).statusCode).toBe(404);
    }
    const library = await visitor.get('/publications');
    expect(library.body).not.toContain(focusReport.title);
  });

  it('previews it exactly as the public will see it, without anything unsafe', async () => {
    const res = await lead.get(`/staff/publications/${id}/preview`);
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('Questions for councillors');
    expect(res.body).toContain('How many home care visits were missed last year?');
    expect(res.body).toContain('<table class="govuk-table">');
    expect(res.body).toContain('href="#what-we-found"');
    expect(res.body).not.toMatch(/<script>alert|onerror=|javascript:alert\(1\)"|<iframe/);
    expect(res.body).toContain('the end.');
  });

  it('refuses a time to publish in the past, changing nothing', async () => {
    const before = await auditCount();
    const res = await lead.post(`/staff/publications/${id}/publish`, {
      when: 'schedule',
      'publishAt-day': '28',
      'publishAt-month': '2',
      'publishAt-year': '2027',
      'publishAt-time': '9am',
    });
    expect(res.statusCode).toBe(303);
    const page = await lead.get(res.headers.location ?? '');
    expect(page.body).toContain('The time to publish must be in the future');
    expect(page.body).toContain('govuk-error-summary');
    expect(await auditCount()).toBe(before);
    expect((await t.services.publications.forEditor(await editorActor(), id)).state).toBe('draft');
  });

  it('schedules it for a London time, hidden until then', async () => {
    const res = await lead.post(`/staff/publications/${id}/publish`, {
      when: 'schedule',
      'publishAt-day': '2',
      'publishAt-month': '3',
      'publishAt-year': '2027',
      'publishAt-time': '9:30am',
    });
    expect(res.statusCode).toBe(303);
    const page = await lead.get(`/staff/publications/${id}`);
    expect(page.body).toContain('Scheduled');
    expect(page.body).toContain('2 March 2027, 9:30am');
    expect((await visitor.get(`/publications/${slug}`)).statusCode).toBe(404);
    expect((await visitor.get('/publications.atom')).body).not.toContain(slug);
    expect((await visitor.get('/sitemap.xml')).body).not.toContain(slug);
    expect((await visitor.get('/publications?q=home+care')).body).not.toContain(focusReport.title);
  });

  it('publishes it now instead, and the public reads it, finds it and sees it in the feed', async () => {
    const res = await lead.post(`/staff/publications/${id}/publish`, { when: 'now' });
    expect(res.statusCode).toBe(303);
    const page = await visitor.get(`/publications/${slug}`);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain(focusReport.title);
    expect(page.body).toContain('Who checks the rotas?');
    expect(page.body).toContain('Contents');
    const found = await visitor.get('/publications?q=complaining');
    expect(found.body).toContain(focusReport.title);
    const feed = await visitor.get('/publications.atom');
    expect(feed.headers['content-type']).toContain('application/atom+xml');
    expect(feed.body).toContain(`/publications/${slug}`);
    expect((await visitor.get('/sitemap.xml')).body).toContain(`/publications/${slug}</loc>`);
  });

  it('corrects it with a dated note, keeping the old version for staff only', async () => {
    clock.set(new Date('2027-03-10T11:00:00Z'));
    await signInAll();
    const res = await manager.post(`/staff/publications/${id}/edit`, {
      ...focusReport,
      title: 'Out of sight: complaints about home care visits',
      body: focusReport.body.replace('Carers arrived late.', 'Carers arrived late on 40% of visits.'),
      note: 'We corrected the share of late visits.',
    });
    expect(res.statusCode).toBe(303);
    const newSlug = 'out-of-sight-complaints-about-home-care-visits';
    const moved = await visitor.get(`/publications/${slug}`);
    expect(moved.statusCode).toBe(301);
    expect(moved.headers.location).toBe(`/publications/${newSlug}`);
    const page = await visitor.get(`/publications/${newSlug}`);
    expect(page.body).toContain('We corrected the share of late visits.');
    expect(page.body).toContain('10 March 2027');
    expect(page.body).toContain('40% of visits');
    const old = await lead.get(`/staff/publications/${id}/versions/1`);
    expect(old.statusCode).toBe(200);
    expect(old.body).toContain('Carers arrived late.');
    expect(old.body).not.toContain('40% of visits');
    for (const who of [visitor, linkOfficer])
      expect((await who.get(`/staff/publications/${id}/versions/1`)).statusCode).toBe(404);
    expect((await visitor.get('/publications.atom')).body).toContain('(corrected)');
  });

  it('withdraws it: the address answers 410 with the notice, and it leaves the library, feed and sitemap', async () => {
    const newSlug = 'out-of-sight-complaints-about-home-care-visits';
    const empty = await lead.post(`/staff/publications/${id}/withdraw`, { notice: '' });
    expect((await lead.get(empty.headers.location ?? '')).body).toContain('Enter a short notice');
    const res = await lead.post(`/staff/publications/${id}/withdraw`, { notice: 'Replaced by our 2028 report.' });
    expect(res.statusCode).toBe(303);
    const gone = await visitor.get(`/publications/${newSlug}`);
    expect(gone.statusCode).toBe(410);
    expect(gone.body).toContain('Replaced by our 2028 report.');
    const old = await visitor.get(`/publications/${slug}`);
    expect(old.statusCode).toBe(301);
    expect(old.headers.location).toBe(`/publications/${newSlug}`);
    expect((await visitor.get('/publications')).body).not.toContain(newSlug);
    expect((await visitor.get('/publications.atom')).body).not.toContain(newSlug);
    expect((await visitor.get('/sitemap.xml')).body).not.toContain(newSlug);
  });
});

const editorActor = async () => leadActor;

describe('bad input changes nothing', () => {
  it('refuses an empty title, an unknown kind and an unknown topic with clear messages', async () => {
    const [before, audits] = [await publicationCount(), await auditCount()];
    const res = await lead.post('/staff/publications/new', { ...focusReport, kind: 'pamphlet', title: ' ' });
    const page = await lead.get(res.headers.location ?? '');
    expect(page.body).toContain('Select the kind of publication');
    expect(page.body).toContain('Enter a title');
    const topic = await lead.post('/staff/publications/new', { ...focusReport, title: 'New', topics: ['astrology'] });
    expect((await lead.get(topic.headers.location ?? '')).body).toContain('Choose topics from the list');
    expect(await publicationCount()).toBe(before);
    expect(await auditCount()).toBe(audits);
  });

  it('refuses a title whose address another publication has', async () => {
    const first = await lead.post('/staff/publications/new', { ...focusReport, title: 'Clash test' });
    expect(first.statusCode).toBe(303);
    const before = await publicationCount();
    const second = await lead.post('/staff/publications/new', { ...focusReport, title: 'Clash: test!' });
    const page = await lead.get(second.headers.location ?? '');
    expect(page.body).toContain('web address /publications/clash-test');
    expect(await publicationCount()).toBe(before);
  });

  it('gives an address to one of two drafts written at once with the same title, refusing the other', async () => {
    const input = {
      kind: 'guidance-note' as const,
      title: 'Written at once',
      summary: 'S',
      body: 'B',
      topics: [],
      councillorQuestions: [],
      partners: [],
    };
    const results = await Promise.allSettled([
      t.services.publications.createDraft(leadActor, input),
      t.services.publications.createDraft(leadActor, input),
    ]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const refused = results.find((r) => r.status === 'rejected');
    expect(refused?.reason).toBeInstanceOf(DomainError);
    expect((refused?.reason as DomainError).fields[0]?.message).toContain('/publications/written-at-once');
  });

  it('takes PDF and Word files checked by content, refusing other files', async () => {
    const created = await lead.post('/staff/publications/new', { ...focusReport, title: 'With files' });
    const id = idFrom(created.headers.location);
    const upload = (filename: string, content: Buffer) => {
      const boundary = '----liaison-test';
      const payload = Buffer.concat([
        Buffer.from(
          `--${boundary}\r\nContent-Disposition: form-data; name="_csrf"\r\n\r\n${lead.csrfToken}\r\n` +
            `--${boundary}\r\nContent-Disposition: form-data; name="title"\r\n\r\nThe full report\r\n` +
            `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${filename}"\r\n` +
            'Content-Type: application/pdf\r\n\r\n',
        ),
        content,
        Buffer.from(`\r\n--${boundary}--\r\n`),
      ]);
      return lead.request({
        method: 'POST',
        url: `/staff/publications/${id}/attachments`,
        headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
        payload,
      });
    };
    const png = await upload('report.pdf', Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2, 3]));
    expect((await lead.get(png.headers.location ?? '')).body).toContain('must be a PDF or a Word document');
    const big = await upload(
      'big.pdf',
      Buffer.concat([Buffer.from('%PDF-1.7\n'), Buffer.alloc(t.config.DOCUMENT_MAX_BYTES)]),
    );
    expect((await lead.get(big.headers.location ?? '')).body).toContain('must be smaller than');
    expect((await t.services.publications.forEditor(await editorActor(), id)).attachments).toHaveLength(0);
    const pdf = await upload('report.pdf', Buffer.from('%PDF-1.7\n1 0 obj\n<<>>\nendobj\n%%EOF\n'));
    expect(pdf.statusCode).toBe(303);
    const editor = await t.services.publications.forEditor(await editorActor(), id);
    expect(editor.attachments.map((a) => a.title)).toEqual(['The full report']);
    const fileUrl = `/publications/with-files/files/${editor.attachments[0]?.id ?? ''}`;
    expect((await visitor.get(fileUrl)).statusCode).toBe(404);
    await lead.post(`/staff/publications/${id}/publish`, { when: 'now' });
    const file = await visitor.get(fileUrl);
    expect(file.statusCode).toBe(200);
    expect(file.headers['content-type']).toBe('application/pdf');
  });
});

describe('the information for link officers', () => {
  it('is public, and its text is kept by the relationship lead', async () => {
    const page = await visitor.get('/link-officers');
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('at most two');
    expect(page.body).toContain('href="/link-officer-change"');
    // It leads to the newsletter and to training, and both are there.
    for (const href of ['/newsletter', '/training']) {
      expect(page.body).toContain(`href="${href}"`);
      expect((await visitor.get(href)).statusCode).toBe(200);
    }
    const saved = await lead.post('/staff/pages/link-officers', {
      title: 'Information for link officers',
      body: '## Your role\n\nYou are our single point of contact. <script>alert(1)</script>',
    });
    expect(saved.statusCode).toBe(303);
    const after = await visitor.get('/link-officers');
    expect(after.body).toContain('You are our single point of contact.');
    expect(after.body).not.toContain('<script>alert');
    expect((await linkOfficer.get('/staff/pages/link-officers')).statusCode).toBe(404);
    const refused = await linkOfficer.post('/staff/pages/link-officers', { title: 'Hacked', body: 'Hacked' });
    expect(refused.statusCode).toBe(404);
    expect((await visitor.get('/link-officers')).body).not.toContain('Hacked');
  });
});
