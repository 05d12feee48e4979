import fs from 'node:fs';
import path from 'node:path';
import { TMP } from './db-target.ts';

/** Where `expectAccessible` notes each page it checked, one line a page (appended whole, so files running side by side do not mix their lines). */
export const CHECKED_PAGES_LOG = path.join(TMP, 'e2e-checked-pages.log');

/** Notes a page as checked: axe-clean and without sideways scrolling at a phone's width. */
export function noteCheckedPage(url: string): void {
  const { pathname } = new URL(url);
  // The page's kind, not its record: ids and references become ":id".
  const kind = pathname.replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, ':id');
  fs.appendFileSync(CHECKED_PAGES_LOG, `${kind}\n`);
}

/**
 * Vitest global setup for the browser tests: starts the log afresh, and at the end prints how many
 * pages were checked, of how many kinds.
 */
export default function setup(): () => void {
  fs.mkdirSync(TMP, { recursive: true });
  fs.rmSync(CHECKED_PAGES_LOG, { force: true });
  return () => {
    if (!fs.existsSync(CHECKED_PAGES_LOG)) return;
    const lines = fs.readFileSync(CHECKED_PAGES_LOG, 'utf8').split('\n').filter(Boolean);
    const kinds = new Set(lines).size;
    process.stdout.write(
      `browser checks: ${lines.length} pages (${kinds} kinds) passed axe (WCAG 2.2 AA and best practice) with no sideways scroll at 375 px\n`,
    );
  };
}
