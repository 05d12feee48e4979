import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

/** Folders known to exist, so that a busy store does not ask the file system again for every file. */
const folders = new Set<string>();

/**
 * Writes `bytes` to `file` whole or not at all: into a temporary file beside it, then renamed into
 * place. Its folder is made the first time; if it has gone since (emptied and removed), it is made again.
 */
export async function writeWhole(file: string, bytes: Uint8Array): Promise<void> {
  const folder = path.dirname(file);
  const temporary = `${file}.${crypto.randomBytes(6).toString('hex')}.part`;
  if (!folders.has(folder)) await makeFolder(folder);
  try {
    await fs.promises.writeFile(temporary, bytes, { mode: 0o640 });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    await makeFolder(folder);
    await fs.promises.writeFile(temporary, bytes, { mode: 0o640 });
  }
  await fs.promises.rename(temporary, file);
}

async function makeFolder(folder: string): Promise<void> {
  await fs.promises.mkdir(folder, { recursive: true });
  folders.add(folder);
}
