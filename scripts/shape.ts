// The code's shape in figures, printed by the full test run: source files over 400 lines, queries
// built outside repositories, and request data read by a cast. Lint enforces the rules; this says
// how far the code written before them has still to go.
import fs from 'node:fs';
import path from 'node:path';

const ROOT = path.resolve(import.meta.dirname, '..');
const LIMIT = 400;
/** Generated or data files, not written by hand. */
const GENERATED = new Set(['src/platform/db/schema.ts']);

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(path.join(ROOT, dir), { withFileTypes: true }).flatMap((entry) => {
    const relative = path.posix.join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'assets' ? [] : sourceFiles(relative);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts') ? [relative] : [];
  });
}

const files = sourceFiles('src').map((file) => ({ file, text: fs.readFileSync(path.join(ROOT, file), 'utf8') }));
const count = (text: string, pattern: RegExp) => text.match(pattern)?.length ?? 0;

const long = files
  .filter((f) => !GENERATED.has(f.file))
  .map((f) => ({ file: f.file, lines: f.text.split('\n').length - 1 }))
  .filter((f) => f.lines > LIMIT)
  .sort((a, b) => b.lines - a.lines);
const QUERY = /\.(selectFrom|insertInto|updateTable|deleteFrom|mergeInto|selectNoFrom|replaceInto)\(/g;
/** Where queries may be built: repositories, a module's published SQL fragments, and the database plumbing. */
const QUERY_HOMES = /\.(repository|sql)\.ts$|^src\/platform\/db\/|^src\/platform\/pagination\.ts$/;
const queries = files
  .filter((f) => !QUERY_HOMES.test(f.file))
  .map((f) => ({ file: f.file, calls: count(f.text, QUERY) }))
  .filter((f) => f.calls > 0);
const CAST = /request\.(params|query|body)\s*\)?\s*as\b|\(request\.(params|query|body) as\b/g;
const casts = files.map((f) => ({ file: f.file, casts: count(f.text, CAST) })).filter((f) => f.casts > 0);

const total = (rows: { [k: string]: unknown }[], key: string) => rows.reduce((n, r) => n + Number(r[key]), 0);
console.log(`Source files over ${LIMIT} lines: ${long.length}`);
for (const f of long) console.log(`  ${String(f.lines).padStart(5)}  ${f.file}`);
console.log(`Queries built outside repositories: ${total(queries, 'calls')} in ${queries.length} files`);
for (const f of queries) console.log(`  ${String(f.calls).padStart(5)}  ${f.file}`);
console.log(`Request data read by a cast: ${total(casts, 'casts')}`);
for (const f of casts) console.log(`  ${String(f.casts).padStart(5)}  ${f.file}`);
