// Compiles Liaison's stylesheet (GOV.UK + MOJ Frontend under Liaison's brand) and copies the scripts
// pages load into public/. Run by `npm run build`, and by the start, demo and test commands.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as sass from 'sass';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const out = path.join(root, 'public');
fs.mkdirSync(out, { recursive: true });

const started = Date.now();
const css = path.join(out, 'liaison.css');
// The stylesheet takes seconds to compile: do it only when it is missing or older than what it is made from.
const sources = [
  path.join(root, 'src/assets/liaison.scss'),
  path.join(root, 'node_modules/govuk-frontend/package.json'),
  path.join(root, 'node_modules/@ministryofjustice/frontend/package.json'),
];
const builtAt = fs.existsSync(css) ? fs.statSync(css).mtimeMs : 0;
if (sources.some((file) => fs.statSync(file).mtimeMs > builtAt)) {
  const result = sass.compile(path.join(root, 'src/assets/liaison.scss'), {
    loadPaths: [root],
    style: 'compressed',
    quietDeps: true,
    silenceDeprecations: ['import'],
    logger: sass.Logger.silent,
  });
  fs.writeFileSync(css, result.css);
}
fs.copyFileSync(
  path.join(root, 'node_modules/govuk-frontend/dist/govuk/govuk-frontend.min.js'),
  path.join(out, 'govuk-frontend.min.js'),
);
// Every script in src/assets: liaison.js on every page, and the few a page adds for itself.
for (const file of fs.readdirSync(path.join(root, 'src/assets')).filter((f) => f.endsWith('.js'))) {
  fs.copyFileSync(path.join(root, 'src/assets', file), path.join(out, file));
}
fs.copyFileSync(path.join(root, 'src/assets/liaison-icon.svg'), path.join(out, 'liaison-icon.svg'));
console.log(`assets built in ${Date.now() - started} ms`);
