import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The project's root folder (the one holding package.json), found by walking up from this file, so
 * paths are right whether Liaison runs from its TypeScript sources or from the built bundle in dist/.
 */
function findRoot(start: string): string {
  let dir = start;
  while (!fs.existsSync(path.join(dir, 'package.json'))) {
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`No package.json above ${start}`);
    dir = parent;
  }
  return dir;
}

export const ROOT_DIR = findRoot(path.dirname(fileURLToPath(import.meta.url)));
/** Templates are read from the sources in every mode. */
export const SRC_DIR = path.join(ROOT_DIR, 'src');
