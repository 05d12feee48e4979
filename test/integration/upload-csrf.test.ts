import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Actor } from '../../src/modules/accounts/domain.ts';
import { ROOT_DIR } from '../../src/http/views.ts';
import { createTestApp, TestClient, type TestApp } from '../support/app.ts';
import { complaintInput, createAuthority, signedInAs } from '../support/factories.ts';
import { multipartForm } from '../support/multipart.ts';

/**
 * An upload form's CSRF token travels as a form field before the file, never in the page's address
 * (where it would reach logs and referrers); the check reads it before the file is accepted.
 */

let t: TestApp;
let dir: string;
let complaintId: string;
let staff: TestClient;

const PDF = Buffer.from('%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n');

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'liaison-upload-csrf-'));
  t = await createTestApp({ env: { DOCUMENTS_DIR: dir } });
  const authorityId = await createAuthority(t.db);
  const officer = await signedInAs(t.db, t.services, 'intake-officer');
  staff = new TestClient(t.app).withSession(officer.token);
  const actor: Actor = { type: 'user', id: officer.user.id, roles: ['intake-officer'], authorityId: null };
  complaintId = (
    await t.services.complaints.receive(
      actor,
      complaintInput(authorityId, { summary: 'Repairs', channel: 'letter', complainant: { name: 'Doc Person' } }),
    )
  ).id;
}, 120_000);

afterAll(async () => {
  await t.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const documents = () =>
  t.db.kysely.selectFrom('documents').selectAll().where('complaint_id', '=', complaintId).execute();

/** Every file under the documents folder. */
const storedFiles = (): string[] =>
  fs.existsSync(dir)
    ? fs.readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((f) => /[0-9a-f]{64}$/.test(f))
    : [];

const post = (url: string, fields: readonly (readonly [string, string])[], withFile = true) => {
  const body = multipartForm(
    fields,
    withFile ? { name: 'letter.pdf', bytes: PDF, type: 'application/pdf' } : undefined,
  );
  return staff.request({ method: 'POST', url, headers: body.headers, payload: body.payload });
};

describe('the CSRF token of an upload form', () => {
  const url = () => `/staff/complaints/${complaintId}/documents`;

  it('refuses an upload without the field, and stores nothing', async () => {
    const res = await post(url(), [['description', 'No token']]);
    expect(res.statusCode).toBe(403);
    expect(res.body).toContain('Your form could not be sent');
    expect(await documents()).toHaveLength(0);
    expect(storedFiles()).toHaveLength(0);
  });

  it('refuses a token in the address, a wrong token, and a token sent after the file', async () => {
    const inAddress = await post(`${url()}?_csrf=${encodeURIComponent(staff.csrfToken)}`, []);
    expect(inAddress.statusCode).toBe(403);
    const wrong = await post(url(), [['_csrf', 'x'.repeat(staff.csrfToken.length)]]);
    expect(wrong.statusCode).toBe(403);
    // The token must come before the file: the check is made before the file is read.
    const boundary = '----liaisonform';
    const late = Buffer.concat([
      Buffer.from(
        `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="letter.pdf"\r\nContent-Type: application/pdf\r\n\r\n`,
      ),
      PDF,
      Buffer.from(`\r\n--${boundary}\r\nContent-Disposition: form-data; name="_csrf"\r\n\r\n${staff.csrfToken}\r\n`),
      Buffer.from(`--${boundary}--\r\n`),
    ]);
    const after = await staff.request({
      method: 'POST',
      url: url(),
      headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
      payload: late,
    });
    expect(after.statusCode).toBe(403);
    expect(await documents()).toHaveLength(0);
    expect(storedFiles()).toHaveLength(0);
  });

  it('accepts the upload with the field before the file', async () => {
    const res = await post(url(), [
      ['_csrf', staff.csrfToken],
      ['description', 'Stage 2 letter'],
    ]);
    expect(res.statusCode).toBe(303);
    const [doc, ...rest] = await documents();
    expect(rest).toHaveLength(0);
    expect(doc).toMatchObject({ filename: 'letter.pdf', description: 'Stage 2 letter', size: PDF.length });
    expect(storedFiles()).toHaveLength(1);
  });

  it('refuses a form with the field but no file only as a form error, not as a forgery', async () => {
    const res = await post(url(), [['_csrf', staff.csrfToken]], false);
    expect(res.statusCode).toBe(303);
  });
});

describe('no CSRF token in any address', () => {
  it('the upload form carries its token as a field before the file input, never in its action', async () => {
    const page = await staff.get(`/staff/complaints/${complaintId}/documents`);
    expect(page.statusCode).toBe(200);
    const forms = page.body.match(/<form[^>]*enctype="multipart\/form-data"[\s\S]*?<\/form>/g) ?? [];
    expect(forms).toHaveLength(1);
    for (const form of forms) {
      const token = form.indexOf('name="_csrf"');
      expect(token).toBeGreaterThan(-1);
      expect(token).toBeLessThan(form.indexOf('type="file"'));
    }
    for (const action of page.body.match(/<form[^>]*>/g) ?? []) expect(action).not.toContain('_csrf=');
  });

  it('no template puts the token in an address', () => {
    const templates = fs
      .readdirSync(path.join(ROOT_DIR, 'src'), { recursive: true, encoding: 'utf8' })
      .filter((f) => f.endsWith('.njk'));
    expect(templates.length).toBeGreaterThan(20);
    const offending = templates.filter((f) =>
      fs.readFileSync(path.join(ROOT_DIR, 'src', f), 'utf8').includes('_csrf='),
    );
    expect(offending).toEqual([]);
    // Every upload form has the field before its file input.
    for (const f of templates) {
      const text = fs.readFileSync(path.join(ROOT_DIR, 'src', f), 'utf8');
      for (const form of text.match(/<form[^>]*multipart\/form-data[\s\S]*?<\/form>/g) ?? []) {
        const token = form.indexOf('name="_csrf"');
        expect(token, f).toBeGreaterThan(-1);
        expect(token, f).toBeLessThan(form.search(/govukFileUpload|type="file"/));
      }
    }
  });
});
