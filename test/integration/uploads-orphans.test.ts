import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Actor } from '../../src/modules/accounts/domain.ts';
import { fileJobs } from '../../src/platform/files/files.jobs.ts';
import { createLogger } from '../../src/platform/logger.ts';
import { createTestApp, type TestApp } from '../support/app.ts';
import { complaintInput, createAuthority, signedInAs } from '../support/factories.ts';

/** The daily sweep of the documents folder: files no row names, older than a day, are removed. */

let t: TestApp;
let dir: string;
let officer: Actor;
let complaintId: string;
let authorityId: string;

const DAY_MS = 24 * 3600 * 1000;

/** A file in the folder's layout, named by the SHA-256 of a label, last written `ageMs` ago. */
function looseFile(label: string, ageMs: number, suffix = ''): string {
  const sha = crypto.createHash('sha256').update(label).digest('hex');
  const file = path.join(dir, sha.slice(0, 2), sha.slice(2, 4), `${sha}${suffix}`);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, label);
  const at = new Date(Date.now() - ageMs);
  fs.utimesSync(file, at, at);
  return file;
}

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'liaison-orphans-'));
  t = await createTestApp({ env: { DOCUMENTS_DIR: dir } });
  authorityId = await createAuthority(t.db);
  const signedIn = await signedInAs(t.db, t.services, 'intake-officer');
  officer = { type: 'user', id: signedIn.user.id, roles: ['intake-officer'], authorityId: null };
  complaintId = (
    await t.services.complaints.receive(
      officer,
      complaintInput(authorityId, { channel: 'letter', complainant: { name: 'Kept Person', phone: '01632 960004' } }),
    )
  ).id;
}, 120_000);

afterAll(async () => {
  await t.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('the daily sweep of document files', () => {
  it('removes old files no row names and stale partial writes, keeps the rest, and logs how many went', async () => {
    const kept = await t.db.kysely.transaction().execute((trx) =>
      t.services.files.store(trx, Buffer.from('A letter on the case.\n'), {
        filename: 'letter.txt',
        complaintId,
        authorityId,
        uploadedBy: officer,
      }),
    );
    const keptFile = path.join(dir, kept.storage_key);
    const old = new Date(Date.now() - 3 * DAY_MS);
    fs.utimesSync(keptFile, old, old);

    const orphan = looseFile('left behind by a deleted row', 2 * DAY_MS);
    const partial = looseFile('a write that never finished', 2 * DAY_MS, '.0123456789ab.part');
    // Written a moment ago: its row may not have committed yet.
    const fresh = looseFile('an upload still being stored', 60 * 1000);
    // Not a document file: left alone whatever its age.
    const stranger = path.join(dir, 'README');
    fs.writeFileSync(stranger, 'not ours');
    fs.utimesSync(stranger, old, old);

    const logged: Record<string, unknown>[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        logged.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
        done();
      },
    });
    const sweep = fileJobs(t.services.files).find((job) => job.name === 'files.sweep-orphans');
    expect(sweep?.schedule?.everySeconds).toBe(24 * 3600);
    await sweep?.handler({}, { jobId: 'sweep', retryCount: 0, logger: createLogger('info', sink) });

    expect(fs.existsSync(orphan)).toBe(false);
    expect(fs.existsSync(partial)).toBe(false);
    expect(fs.existsSync(fresh)).toBe(true);
    expect(fs.existsSync(keptFile)).toBe(true);
    expect(fs.existsSync(stranger)).toBe(true);
    expect(logged).toEqual([expect.objectContaining({ removed: 2 })]);

    // A second run finds nothing more to do.
    expect(await t.services.files.sweepOrphans()).toBe(0);
  });
});
