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
const result = sass.compile(path.join(root, 'src/assets/liaison.scss'), {
  loadPaths: [root],
  style: 'compressed',
  quietDeps: true,
  silenceDeprecations: ['import'],
  logger: sass.Logger.silent,
});
fs.writeFileSync(path.join(out, 'liaison.css'), result.css);
fs.copyFileSync(
  path.join(root, 'node_modules/govuk-frontend/dist/govuk/govuk-frontend.min.js'),
  path.join(out, 'govuk-frontend.min.js'),
);
fs.copyFileSync(path.join(root, 'src/assets/liaison.js'), path.join(out, 'liaison.js'));
fs.copyFileSync(path.join(root, 'src/assets/liaison-icon.svg'), path.join(out, 'liaison-icon.svg'));
console.log(`assets built in ${Date.now() - started} ms`);
