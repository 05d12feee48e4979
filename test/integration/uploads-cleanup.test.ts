import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Actor } from '../../src/modules/accounts/domain.ts';
import { FixedClock } from '../../src/platform/clock.ts';
import { createTestApp, TestClient, type TestApp } from '../support/app.ts';
import { complaintInput, createAuthority, signedInAs } from '../support/factories.ts';
import { multipartForm } from '../support/multipart.ts';

/** A document's file goes when its row goes; names are stored without characters that reorder or hide text. */

let t: TestApp;
let dir: string;
let officer: Actor;
let authorityId: string;
const clock = new FixedClock(new Date());

const upload = (visitor: TestClient, name: string, bytes: Buffer) => {
  const body = multipartForm({ _csrf: visitor.csrfToken }, { name, bytes, type: 'text/plain' });
  return visitor.request({
    method: 'POST',
    url: '/complain/attachments/upload',
    headers: body.headers,
    payload: body.payload,
  });
};

const fileOf = (storageKey: string) => path.join(dir, storageKey);
const draftDocuments = () =>
  t.db.kysely.selectFrom('documents').selectAll().where('complaint_id', 'is', null).orderBy('uploaded_at').execute();

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'liaison-upload-cleanup-'));
  t = await createTestApp({ clock, env: { DOCUMENTS_DIR: dir } });
  authorityId = await createAuthority(t.db);
  const signedIn = await signedInAs(t.db, t.services, 'intake-officer');
  officer = { type: 'user', id: signedIn.user.id, roles: ['intake-officer'], authorityId: null };
}, 120_000);

afterAll(async () => {
  await t.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe("a draft's uploads", () => {
  it('are deleted with their files when the draft is swept, except content a filed document also holds', async () => {
    // A document filed to a case, whose bytes a visitor then uploads too (files are stored once per content).
    const shared = Buffer.from('The council’s letter of 3 March, as the case holds it.\n');
    const complaint = await t.services.complaints.receive(
      officer,
      complaintInput(authorityId, { channel: 'letter', complainant: { name: 'Filed Person', phone: '01632 960003' } }),
    );
    const filed = await t.db.kysely.transaction().execute((trx) =>
      t.services.files.store(trx, shared, {
        filename: 'letter.txt',
        complaintId: complaint.id,
        authorityId,
        uploadedBy: officer,
      }),
    );

    const visitor = new TestClient(t.app);
    for (const [name, bytes] of [
      ['one.txt', Buffer.from('First draft attachment.\n')],
      ['two.txt', Buffer.from('Second draft attachment.\n')],
      ['same.txt', shared],
    ] as const)
      expect((await upload(visitor, name, bytes)).headers.location).toBe('/complain/attachments');
    const uploads = await draftDocuments();
    expect(uploads.map((d) => d.filename)).toEqual(['one.txt', 'two.txt', 'same.txt']);
    for (const d of uploads) expect(fs.existsSync(fileOf(d.storage_key))).toBe(true);

    clock.advance(25 * 3600 * 1000);
    try {
      expect(await t.services.complaints.sweepDrafts()).toBe(1);
    } finally {
      clock.advance(-25 * 3600 * 1000);
    }
    expect(await draftDocuments()).toEqual([]);
    const [one, two, same] = uploads;
    expect(fs.existsSync(fileOf(one?.storage_key ?? ''))).toBe(false);
    expect(fs.existsSync(fileOf(two?.storage_key ?? ''))).toBe(false);
    // The filed document's file stays: it is the same file.
    expect(same?.storage_key).toBe(filed.storage_key);
    expect(fs.existsSync(fileOf(filed.storage_key))).toBe(true);
    const opened = await t.services.caseDocuments.open(officer, filed.id);
    opened.stream.destroy();
  });

  it('keep their names without direction overrides, isolates or other control characters', async () => {
    const visitor = new TestClient(t.app);
    // "invoice", a right-to-left override (U+202E), then "fdp.txt" shows as "invoicetxt.pdf".
    const res = await upload(visitor, 'invoice\u202Efdp.txt\u2066\u200F\u061C\u0085', Buffer.from('Plain text.\n'));
    expect(res.headers.location).toBe('/complain/attachments');
    const [row] = await draftDocuments();
    expect(row?.filename).toBe('invoicefdp.txt');
    const page = await visitor.get('/complain/attachments');
    expect(page.body).toContain('invoicefdp.txt uploaded');
    expect(page.body).not.toMatch(/[\u202A-\u202E\u2066-\u2069\u200E\u200F\u061C]/);
  });

  it('names stored before are cleaned the same way by the migration', async () => {
    const { id } = await t.db.kysely
      .insertInto('documents')
      .values({
        complaint_id: null,
        authority_id: null,
        filename: 'report\u202Efdp\u2067\u200E\u0085.txt',
        content_type: 'text/plain; charset=utf-8',
        size: 1,
        sha256: 'a'.repeat(64),
        storage_key: `aa/aa/${'a'.repeat(64)}`,
        uploaded_at: new Date(),
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    const migration = fs.readFileSync(
      path.join(import.meta.dirname, '../../migrations/0061_document_names.sql'),
      'utf8',
    );
    await t.db.withSession((session) => session.exec(migration));
    const row = await t.db.kysely
      .selectFrom('documents')
      .select('filename')
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    expect(row.filename).toBe('reportfdp.txt');
    await t.db.kysely.deleteFrom('documents').where('id', '=', id).execute();
  });
});
