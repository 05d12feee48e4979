import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashSecret } from '../../src/modules/accounts/passwords.ts';
import { openDatabase } from '../../src/platform/db/database.ts';
import { ROOT } from '../support/db-target.ts';

const run = promisify(execFile);
let dataDir: string;

beforeAll(() => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'liaison-token-cli-'));
});
afterAll(() => {
  fs.rmSync(dataDir, { recursive: true, force: true });
});

/** Runs the command line on its own embedded database in a fresh data folder. */
async function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  // Only what the command needs: the test runner's own variables (BASE_URL among them) stay out.
  const env = { PATH: process.env.PATH ?? '', HOME: os.homedir(), DATA_DIR: dataDir, LOG_LEVEL: 'silent' };
  try {
    const { stdout, stderr } = await run(process.execPath, ['--import', 'tsx', 'src/cli/index.ts', ...args], {
      cwd: ROOT,
      env,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

describe('npm run cli -- token:create', () => {
  it('migrates, makes the token, prints it alone on the last line, and stores only its hash', async () => {
    const result = await cli('token:create', '--role', 'administrator', '--name', 'Nightly export');
    expect(result.code, result.stderr).toBe(0);
    const lines = result.stdout.trim().split('\n');
    const token = lines[lines.length - 1] ?? '';
    expect(token).toMatch(/^liaison_[\w-]{43}$/);
    expect(result.stdout).toContain('Nightly export');

    const refused = await cli('token:create', '--role', 'link-officer');
    expect(refused.code).toBe(65);
    expect(refused.stderr).toContain('--authority: Select the authority for a Link officer token');

    const db = await openDatabase({ kind: 'pglite', dir: path.join(dataDir, 'pglite') });
    try {
      const rows = await db.kysely.selectFrom('api_tokens').select(['id', 'token_hash', 'role', 'name']).execute();
      expect(rows.map(({ token_hash, role, name }) => ({ token_hash, role, name }))).toEqual([
        { token_hash: hashSecret(token), role: 'administrator', name: 'Nightly export' },
      ]);
      const audit = await db.kysely
        .selectFrom('audit_events')
        .select(['actor_type', 'record_id'])
        .where('action', '=', 'api-token.created')
        .execute();
      expect(audit).toEqual([{ actor_type: 'system', record_id: rows[0]?.id }]);
    } finally {
      await db.close();
    }
  }, 120_000);
});
