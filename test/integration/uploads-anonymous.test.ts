import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, TestClient, type TestApp } from '../support/app.ts';
import { signedInAs } from '../support/factories.ts';
import { multipartForm } from '../support/multipart.ts';

/**
 * Uploads on the public complaint form, where anyone may send a file without signing in: a limit on
 * uploads per address each hour, and a budget for the bytes held on all unsent drafts together.
 */

let t: TestApp;
let dir: string;

const PER_HOUR = 3;
const FILE_BYTES = 1000;
/** Room for the first three tests' uploads (twelve) and three more. */
const BUDGET = 15 * FILE_BYTES;

/** A distinct text file of FILE_BYTES bytes for each label. */
const textFile = (label: string) => Buffer.from(`${label}:`.padEnd(FILE_BYTES, '.'));

/** A visitor's upload on the form's documents page, from a given address (or with a forwarded one). */
async function upload(
  visitor: TestClient,
  bytes: Buffer,
  from: { remoteAddress?: string; forwardedFor?: string; name?: string },
) {
  const body = multipartForm(
    { _csrf: visitor.csrfToken },
    { name: from.name ?? 'letter.txt', bytes, type: 'text/plain' },
  );
  return visitor.request({
    method: 'POST',
    url: '/complain/attachments/upload',
    headers: { ...body.headers, ...(from.forwardedFor ? { 'x-forwarded-for': from.forwardedFor } : {}) },
    payload: body.payload,
    ...(from.remoteAddress ? { remoteAddress: from.remoteAddress } : {}),
  });
}

const storedFiles = (): string[] =>
  fs.existsSync(dir)
    ? fs.readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((f) => /[0-9a-f]{64}$/.test(f))
    : [];
/** The files no one signed in sent that no case holds yet: those the budget is for. */
const unfiledRows = () =>
  t.db.kysely
    .selectFrom('documents')
    .select(['id', 'size'])
    .where('complaint_id', 'is', null)
    .where('uploaded_by', 'is', null)
    .execute();

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'liaison-anon-uploads-'));
  t = await createTestApp({
    env: {
      DOCUMENTS_DIR: dir,
      TRUST_PROXY: 'true',
      ANON_UPLOADS_PER_HOUR: String(PER_HOUR),
      ANON_UPLOAD_BUDGET_BYTES: String(BUDGET),
    },
  });
}, 120_000);

afterAll(async () => {
  await t.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('uploads on the public complaint form', () => {
  it('are limited per address each hour, however many fresh visitors (drafts) it uses; the refusal is shown on the form', async () => {
    const before = (await unfiledRows()).length;
    for (let i = 0; i < PER_HOUR; i++) {
      const res = await upload(new TestClient(t.app), textFile(`visitor ${i}`), { remoteAddress: '198.51.100.7' });
      expect(res.statusCode).toBe(303);
      expect(res.headers.location).toBe('/complain/attachments');
    }
    expect((await unfiledRows()).length).toBe(before + PER_HOUR);
    const filesBefore = storedFiles().length;

    const refused = new TestClient(t.app);
    const res = await upload(refused, textFile('one too many'), { remoteAddress: '198.51.100.7' });
    // Back to the form with the GOV.UK error summary, never an error page or a JSON body.
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe('/complain/attachments');
    const page = await refused.get('/complain/attachments');
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toContain('text/html');
    expect(page.body).toContain('There is a problem');
    expect(page.body).toContain('try again later');
    // Nothing stored: no row, no file.
    expect((await unfiledRows()).length).toBe(before + PER_HOUR);
    expect(storedFiles().length).toBe(filesBefore);

    // Another address is not held back by the first.
    const other = await upload(new TestClient(t.app), textFile('someone else'), { remoteAddress: '198.51.100.8' });
    expect(other.headers.location).toBe('/complain/attachments');
    expect((await unfiledRows()).length).toBe(before + PER_HOUR + 1);
  });

  it('counts by the address the proxy reports when it is trusted, and by the connection when it is not', async () => {
    // TRUST_PROXY is on for this application: each forwarded address has its own allowance.
    for (let i = 0; i < PER_HOUR; i++)
      await upload(new TestClient(t.app), textFile(`proxied ${i}`), {
        remoteAddress: '10.0.0.1',
        forwardedFor: '203.0.113.50',
      });
    const limited = new TestClient(t.app);
    await upload(limited, textFile('proxied again'), { remoteAddress: '10.0.0.1', forwardedFor: '203.0.113.50' });
    expect((await limited.get('/complain/attachments')).body).toContain('try again later');
    const neighbour = new TestClient(t.app);
    await upload(neighbour, textFile('neighbour'), { remoteAddress: '10.0.0.1', forwardedFor: '203.0.113.51' });
    expect((await neighbour.get('/complain/attachments')).body).not.toContain('There is a problem');
    // A client that writes its own X-Forwarded-For before the proxy appends the real address is
    // still counted by the real address: only the proxy's own entry is believed.
    const forger = new TestClient(t.app);
    await upload(forger, textFile('forged'), {
      remoteAddress: '10.0.0.1',
      forwardedFor: '198.51.100.77, 203.0.113.50',
    });
    expect((await forger.get('/complain/attachments')).body).toContain('try again later');

    // Without TRUST_PROXY the header is the sender's own word: changing it changes nothing.
    const direct = await createTestApp({
      db: t.db,
      env: {
        DOCUMENTS_DIR: dir,
        ANON_UPLOADS_PER_HOUR: String(PER_HOUR),
        ANON_UPLOAD_BUDGET_BYTES: String(BUDGET * 10),
      },
    });
    try {
      for (let i = 0; i < PER_HOUR; i++)
        await upload(new TestClient(direct.app), textFile(`spoofed ${i}`), {
          remoteAddress: '192.0.2.9',
          forwardedFor: `203.0.113.${100 + i}`,
        });
      const spoofer = new TestClient(direct.app);
      await upload(spoofer, textFile('spoofed again'), { remoteAddress: '192.0.2.9', forwardedFor: '203.0.113.99' });
      expect((await spoofer.get('/complain/attachments')).body).toContain('try again later');
    } finally {
      await direct.app.close();
    }
  });

  it('leave the budget to the public: a file staff attach to a publication neither uses it nor is refused by it', async () => {
    const held = (await unfiledRows()).reduce((sum, r) => sum + r.size, 0);
    const { token } = await signedInAs(t.db, t.services, 'relationship-lead');
    const lead = new TestClient(t.app).withSession(token);
    const draft = await lead.post('/staff/publications/new', {
      kind: 'guidance-note',
      title: 'A note with a large file',
      summary: 'What councils should do.',
      body: 'Some guidance.',
    });
    const id = /\/staff\/publications\/([0-9a-f-]{36})$/.exec(draft.headers.location ?? '')?.[1] ?? '';
    // Larger than the whole budget: refused were it counted as the public's.
    const pdf = Buffer.concat([
      Buffer.from('%PDF-1.7\n'),
      Buffer.alloc(BUDGET + FILE_BYTES, 0x20),
      Buffer.from('\n%%EOF\n'),
    ]);
    const body = multipartForm(
      { _csrf: lead.csrfToken, title: 'The full guidance' },
      {
        name: 'guidance.pdf',
        bytes: pdf,
        type: 'application/pdf',
      },
    );
    const res = await lead.request({
      method: 'POST',
      url: `/staff/publications/${id}/attachments`,
      headers: body.headers,
      payload: body.payload,
    });
    expect(res.headers.location).toBe(`/staff/publications/${id}#files`);
    const page = await lead.get(`/staff/publications/${id}`);
    expect(page.body).not.toContain('There is a problem');
    expect(page.body).toContain('The file is added.');
    expect((await unfiledRows()).reduce((sum, r) => sum + r.size, 0)).toBe(held);
    // The public's uploads go on as before.
    const visitor = new TestClient(t.app);
    await upload(visitor, textFile('after the guidance'), { remoteAddress: '198.51.100.30' });
    expect((await visitor.get('/complain/attachments')).body).not.toContain('There is a problem');
  });

  it('stop for everyone while the unsent drafts hold the budget, with nothing stored', async () => {
    const held = (await unfiledRows()).reduce((sum, r) => sum + r.size, 0);
    const room = Math.floor((BUDGET - held) / FILE_BYTES);
    expect(room).toBeGreaterThan(0);
    for (let i = 0; i < room; i++) {
      const visitor = new TestClient(t.app);
      await upload(visitor, textFile(`budget ${i}`), { remoteAddress: `192.0.2.${10 + i}` });
      expect((await visitor.get('/complain/attachments')).body).not.toContain('There is a problem');
    }
    const rows = (await unfiledRows()).length;
    const files = storedFiles().length;
    const late = new TestClient(t.app);
    const res = await upload(late, textFile('over budget'), { remoteAddress: '192.0.2.200' });
    expect(res.statusCode).toBe(303);
    const page = await late.get('/complain/attachments');
    expect(page.body).toContain('There is a problem');
    expect(page.body).toContain('try again later');
    expect((await unfiledRows()).length).toBe(rows);
    expect(storedFiles().length).toBe(files);
  });
});
