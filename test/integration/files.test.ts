import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Actor } from '../../src/modules/accounts/domain.ts';
import type { NewComplaint } from '../../src/modules/complaints/complaints.schemas.ts';
import { createTestApp, TestClient, type TestApp } from '../support/app.ts';
import { complaintInput, createAuthority, signedInAs } from '../support/factories.ts';
import { multipartForm } from '../support/multipart.ts';

/** Documents on a case: checked by content, limited in size, checksummed, and shown only to who may see them. */

let t: TestApp;
let dir: string;
let authorityId: string;
let complaintId: string;
let staff: TestClient;
let officerActor: Actor;

const PDF = Buffer.from('%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n');

async function upload(
  client: TestClient,
  file: { name: string; bytes: Buffer; type?: string },
  fields: Record<string, string> = {},
  caseId = complaintId,
) {
  const body = multipartForm({ _csrf: client.csrfToken, ...fields }, file);
  return client.request({
    method: 'POST',
    url: `/staff/complaints/${caseId}/documents`,
    headers: body.headers,
    payload: body.payload,
  });
}

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'liaison-documents-'));
  t = await createTestApp({ env: { DOCUMENTS_DIR: dir, DOCUMENT_MAX_BYTES: '4096' } });
  authorityId = await createAuthority(t.db);
  const officer = await signedInAs(t.db, t.services, 'intake-officer');
  staff = new TestClient(t.app).withSession(officer.token);
  officerActor = { type: 'user', id: officer.user.id, roles: ['intake-officer'], authorityId: null };
  complaintId = (await t.services.complaints.receive(officerActor, byLetter('Repairs'))).id;
}, 120_000);

function byLetter(summary: string): NewComplaint {
  return complaintInput(authorityId, {
    summary,
    channel: 'letter',
    complainant: { name: 'Doc Person', phone: '01632 960002' },
  });
}
afterAll(async () => {
  await t.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const documents = (caseId = complaintId) =>
  t.db.kysely.selectFrom('documents').selectAll().where('complaint_id', '=', caseId).orderBy('uploaded_at').execute();

describe('uploading documents', () => {
  it('stores a PDF with its checksum, judged by content whatever the name says', async () => {
    const res = await upload(
      staff,
      { name: 'letter.txt', bytes: PDF, type: 'text/plain' },
      { description: 'Stage 2 letter' },
    );
    expect(res.statusCode).toBe(303);
    const [doc] = await documents();
    expect(doc).toMatchObject({
      content_type: 'application/pdf',
      size: PDF.length,
      filename: 'letter.txt',
      do_not_disclose: false,
    });
    expect(doc?.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(fs.readFileSync(path.join(dir, doc?.storage_key ?? '')).equals(PDF)).toBe(true);
    const download = await staff.get(`/staff/documents/${doc?.id}`);
    expect(download.statusCode).toBe(200);
    expect(download.headers['content-type']).toBe('application/pdf');
    expect(download.rawPayload.equals(PDF)).toBe(true);
  });

  it('refuses a file of the wrong kind and an oversize file with clear messages, storing nothing', async () => {
    const before = (await documents()).length;
    await upload(staff, { name: 'program.pdf', bytes: Buffer.from([0x4d, 0x5a, 0x90, 0x00, 0x03, 0x00]) });
    expect((await staff.get(`/staff/complaints/${complaintId}/documents`)).body).toContain(
      'The selected file must be a PDF, Word',
    );
    await upload(staff, { name: 'big.txt', bytes: Buffer.alloc(5000, 0x61) });
    expect((await staff.get(`/staff/complaints/${complaintId}/documents`)).body).toContain('must be smaller than');
    expect((await documents()).length).toBe(before);
  });

  it('lets the authority’s own users download, except documents not for disclosure; other authorities get 404', async () => {
    await upload(
      staff,
      { name: 'notes.png', bytes: Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2, 3]) },
      { doNotDisclose: 'yes' },
    );
    const [shared, secret] = await documents();
    expect(secret?.do_not_disclose).toBe(true);
    const own = new TestClient(t.app).withSession(
      (await signedInAs(t.db, t.services, 'link-officer', authorityId)).token,
    );
    // Not before the authority is told of the case (here, by a request for documents).
    expect((await own.get(`/portal/documents/${shared?.id}`)).statusCode).toBe(404);
    await t.services.complaints.requestDocuments(officerActor, complaintId, 'The stage 2 response letter');
    expect((await own.get(`/portal/documents/${shared?.id}`)).statusCode).toBe(200);
    expect((await own.get(`/portal/documents/${secret?.id}`)).statusCode).toBe(404);
    const page = await own.get(`/portal/complaints/${complaintId}`);
    expect(page.body).toContain('letter.txt');
    expect(page.body).not.toContain('notes.png');
    const other = new TestClient(t.app).withSession((await signedInAs(t.db, t.services, 'link-officer')).token);
    expect((await other.get(`/portal/documents/${shared?.id}`)).statusCode).toBe(404);
  });

  it('hides every document of a case closed as invalid from the authority, as if it did not exist; staff still open them', async () => {
    const untold = (await t.services.complaints.receive(officerActor, byLetter('Not a matter for the ombudsman'))).id;
    const before = await upload(
      staff,
      { name: 'untold.pdf', bytes: PDF },
      { description: 'Sent by the complainant' },
      untold,
    );
    expect(before.statusCode).toBe(303);
    const [document] = await documents(untold);
    expect(document?.do_not_disclose).toBe(false);
    const [normal] = await documents();
    const linkOfficer = new TestClient(t.app).withSession(
      (await signedInAs(t.db, t.services, 'link-officer', authorityId)).token,
    );
    const delegate = new TestClient(t.app).withSession(
      (await signedInAs(t.db, t.services, 'delegate', authorityId)).token,
    );
    // While the case is open and the authority has been told of it (documents were asked of it), it may open it.
    await t.services.complaints.requestDocuments(officerActor, untold, 'The stage 2 response letter');
    expect((await linkOfficer.get(`/portal/documents/${document?.id}`)).statusCode).toBe(200);

    await t.services.complaints.assess(officerActor, untold, {
      outcome: 'invalid',
      reason: 'The complaint is not about a body in jurisdiction',
      lateReason: null,
      investigatorId: null,
    });
    // A document added after the decision is hidden as well.
    await upload(staff, { name: 'later.pdf', bytes: PDF }, {}, untold);
    const later = (await documents(untold)).find((d) => d.filename === 'later.pdf');
    expect(later).toBeDefined();

    for (const [who, client] of [
      ['link officer', linkOfficer],
      ['delegate', delegate],
    ] as const) {
      for (const id of [document?.id, later?.id]) {
        const res = await client.get(`/portal/documents/${id}`);
        expect(res.statusCode, who).toBe(404);
        expect(res.rawPayload.includes(PDF), who).toBe(false);
      }
      expect((await client.get(`/portal/complaints/${untold}`)).statusCode, who).toBe(404);
      // Its documents of normal cases are untouched.
      expect((await client.get(`/portal/documents/${normal?.id}`)).statusCode, who).toBe(200);
    }
    // The answer is the same as for a document that does not exist.
    const missing = await linkOfficer.get('/portal/documents/00000000-0000-4000-8000-000000000000');
    expect(missing.statusCode).toBe(404);

    for (const id of [document?.id, later?.id]) {
      const download = await staff.get(`/staff/documents/${id}`);
      expect(download.statusCode).toBe(200);
      expect(download.rawPayload.equals(PDF)).toBe(true);
    }
    const staffList = await staff.get(`/staff/complaints/${untold}/documents`);
    expect(staffList.body).toContain('untold.pdf');
    expect(staffList.body).toContain('later.pdf');
  });
});

describe('an upload form’s fields', () => {
  it('holding control characters are a field error, and nothing is stored', async () => {
    const count = async () =>
      (await t.db.kysely.selectFrom('documents').select('id').where('complaint_id', '=', complaintId).execute()).length;
    const before = await count();
    const res = await upload(
      staff,
      { name: 'letter.txt', bytes: Buffer.from('A letter.') },
      { description: 'a\u0000b' },
    );
    expect(res.statusCode).toBe(303);
    const page = await staff.get(res.headers.location as string);
    expect(page.body).toContain('Remove the invisible control characters from this answer');
    expect(await count()).toBe(before);
  });
});
