import path from 'node:path';
import nunjucks from 'nunjucks';
import { formatDate, formatDateTime, formatIso } from '../platform/dates.ts';
import { ROOT_DIR, SRC_DIR } from '../platform/paths.ts';

export { ROOT_DIR, SRC_DIR };
const nodeModules = path.join(ROOT_DIR, 'node_modules');

interface NunjucksFrame {
  variables: Record<string, unknown>;
  set: (this: NunjucksFrame, name: string, value: unknown, resolveUp?: boolean) => void;
}

/** Sets one of a for loop's variables by its dotted name, each as a property of its own; false for another name. */
function setLoopVariable(loop: Record<string, unknown>, name: string, value: unknown): boolean {
  switch (name) {
    case 'loop.index':
      loop.index = value;
      return true;
    case 'loop.index0':
      loop.index0 = value;
      return true;
    case 'loop.revindex':
      loop.revindex = value;
      return true;
    case 'loop.revindex0':
      loop.revindex0 = value;
      return true;
    case 'loop.first':
      loop.first = value;
      return true;
    case 'loop.last':
      loop.last = value;
      return true;
    case 'loop.length':
      loop.length = value;
      return true;
    default:
      return false;
  }
}

/**
 * Nunjucks (3.2.x, pinned) sets each of a for loop's seven `loop.*` variables on every iteration with
 * `Frame#set`, which splits the dotted name anew each time: a sixth of a 50-row table's rendering. The
 * same assignment: the loop's variables each stored by name (one object shape, so V8 keeps each store
 * fast), any other dotted name split once. Assignments that resolve up the frames (`{% set %}` inside
 * a scope) keep the original method.
 */
function speedUpFrameSet(): void {
  const proto = (nunjucks.runtime as unknown as { Frame: { prototype: NunjucksFrame } }).Frame.prototype;
  const original = proto.set;
  const split = new Map<string, string[]>();
  proto.set = function (this: NunjucksFrame, name: string, value: unknown, resolveUp?: boolean): void {
    if (resolveUp) return original.call(this, name, value, resolveUp);
    if (!name.includes('.')) {
      this.variables[name] = value;
      return;
    }
    if (name.startsWith('loop.')) {
      let loop = this.variables.loop as Record<string, unknown> | undefined;
      if (!loop) {
        loop = {};
        this.variables.loop = loop;
      }
      if (setLoopVariable(loop, name, value)) return;
    }
    let parts = split.get(name);
    if (!parts) {
      parts = name.split('.');
      if (split.size < 1000) split.set(name, parts);
    }
    let target = this.variables;
    const last = parts.length - 1;
    for (let i = 0; i < last; i++) {
      const id = parts[i] as string;
      if (!target[id]) target[id] = {};
      target = target[id] as Record<string, unknown>;
    }
    target[parts[last] as string] = value;
  };
}
speedUpFrameSet();

/**
 * Autoescaping runs every value through `lib.escape`, a regular-expression replace with a callback.
 * Most values (names, dates, ids) have nothing to escape: they are returned as they are after one
 * test, and the rest are escaped exactly as before.
 */
function speedUpEscape(): void {
  const lib = (nunjucks as unknown as { lib: { escape: (value: string) => string } }).lib;
  const original = lib.escape;
  const special = /[&"'<>\\]/;
  lib.escape = (value: string) => (special.test(value) ? original(value) : value);
}
speedUpEscape();

/** GOV.UK and MOJ components whose macros are pure functions of one params object (none takes a caller). */
const MEMOISED = new Set([
  'govuk/components/back-link',
  'govuk/components/breadcrumbs',
  'govuk/components/button',
  'govuk/components/character-count',
  'govuk/components/checkboxes',
  'govuk/components/date-input',
  'govuk/components/details',
  'govuk/components/error-summary',
  'govuk/components/file-upload',
  'govuk/components/generic-header',
  'govuk/components/input',
  'govuk/components/inset-text',
  'govuk/components/notification-banner',
  'govuk/components/pagination',
  'govuk/components/panel',
  'govuk/components/password-input',
  'govuk/components/radios',
  'govuk/components/select',
  'govuk/components/service-navigation',
  'govuk/components/summary-list',
  'govuk/components/table',
  'govuk/components/tag',
  'govuk/components/textarea',
  'govuk/components/warning-text',
  'moj/components/sub-navigation',
]);
const MACRO_PATH = /^((?:govuk|moj)\/components\/[a-z-]+)\/macro\.njk$/;

/**
 * Rendered component HTML by component and params. A GOV.UK macro costs 20–200 µs to render and the
 * same form controls and navigation recur on every request, so each distinct call is rendered once.
 * Bounded: outputs over 32 KB are not kept, and the whole cache is dropped past 8 MB.
 */
class ComponentCache {
  private readonly entries = new Map<string, string>();
  private bytes = 0;
  constructor(
    private readonly maxEntryBytes = 32 * 1024,
    private readonly maxBytes = 8 * 1024 * 1024,
  ) {}

  get(key: string, render: () => string): string {
    const hit = this.entries.get(key);
    if (hit !== undefined) return hit;
    const html = render();
    const size = key.length + html.length;
    if (html.length <= this.maxEntryBytes) {
      if (this.bytes + size > this.maxBytes) {
        this.entries.clear();
        this.bytes = 0;
      }
      this.entries.set(key, html);
      this.bytes += size;
    }
    return html;
  }
}

/** Loads templates without their indentation (see `stripIndentation`). */
class UnindentingLoader extends nunjucks.FileSystemLoader {
  override getSource(name: string): nunjucks.LoaderSource {
    const source = super.getSource(name);
    return source && { ...source, src: stripIndentation(source.src) };
  }
}

/**
 * Loads templates from the given folders, except that a memoised component's `macro.njk` is replaced
 * by a macro of the same name that asks `__component` for the HTML. Templates import components as
 * usual (`{% from "govuk/components/select/macro.njk" import govukSelect %}`) and get the cached path.
 */
class MemoisingLoader extends UnindentingLoader {
  override getSource(name: string): nunjucks.LoaderSource {
    const component = MACRO_PATH.exec(name)?.[1];
    if (component && MEMOISED.has(component)) {
      const macro = macroName(component);
      return {
        src: `{% macro ${macro}(params) %}{{ __component("${component}", params) }}{% endmacro %}`,
        path: `memoised:${component}`,
        noCache: false,
      };
    }
    return super.getSource(name);
  }
}

/**
 * A template's text without the spaces that indent its lines and without its blank lines. The
 * templates are indented for people to read; sent as they are, a page of 50 rows was 40% spaces,
 * which cost time to build, encode and send. Between HTML tags a line break is as much white space
 * as any number of spaces, so pages look and read the same; nothing here is preformatted (no
 * `<pre>`, and textareas and pre-wrap elements take their text from values, which are untouched).
 */
export function stripIndentation(src: string): string {
  return src.replace(/^[ \t]+/gm, '').replace(/\n{2,}/g, '\n');
}

/**
 * The cache key of a component's params: their JSON, except that long text at the top level (such as
 * a filter panel's options, passed in as markup) is appended as it is, after its name, kind and
 * length, instead of being escaped into the JSON: the same distinctions at a fraction of the cost.
 * JSON text never holds a NUL character, so the parts cannot run together.
 */
export function componentKey(params: unknown): string {
  if (params === null || params === undefined) return '{}';
  if (typeof params !== 'object' || Array.isArray(params)) return JSON.stringify(params);
  const { SafeString } = nunjucks.runtime;
  const entries = Object.entries(params);
  const isLong = (value: unknown) =>
    value instanceof SafeString || (typeof value === 'string' && value.length >= LONG_TEXT);
  if (!entries.some(([, value]) => isLong(value))) return JSON.stringify(params);
  const rest: Record<string, unknown> = {};
  let text = '';
  for (const [name, value] of entries) {
    if (!isLong(value)) {
      rest[name] = value;
      continue;
    }
    const content = String(value);
    text += `\u0000${value instanceof SafeString ? 'S' : 's'}${name.length}:${name}${content.length}:${content}`;
  }
  return JSON.stringify(rest) + text;
}
const LONG_TEXT = 200;

/** The parts of nunjucks' (undocumented) parser API a tag uses. */
interface TagParser {
  nextToken(): { value: string };
  parseSignature(tolerant: null, noParens: boolean): unknown;
  advanceAfterBlockEnd(name?: string): void;
  parseUntilBlocks(...names: string[]): unknown;
}
interface TagNodes {
  CallExtension: new (extension: object, method: string, args: unknown, contentArgs: unknown[]) => unknown;
}

/**
 * `{% cache key %}…{% endcache %}`: the markup between renders once per key and is kept with the
 * memoised components. For a fragment built from a few values but long to render or to key by its
 * params, such as the directory's filter panel: the key names those values, and must name every
 * value the fragment shows.
 */
function fragmentCache(cache: ComponentCache): nunjucks.Extension & { run: unknown } {
  const { SafeString } = nunjucks.runtime;
  return {
    tags: ['cache'],
    parse(parser: TagParser, nodes: TagNodes) {
      const tag = parser.nextToken();
      const args = parser.parseSignature(null, true);
      parser.advanceAfterBlockEnd(tag.value);
      const body = parser.parseUntilBlocks('endcache');
      parser.advanceAfterBlockEnd();
      return new nodes.CallExtension(this, 'run', args, [body]);
    },
    run(_context: unknown, key: unknown, body: () => unknown) {
      return new SafeString(cache.get(`fragment\u0000${JSON.stringify(key)}`, () => String(body())));
    },
  };
}

/** `govuk/components/summary-list` → `govukSummaryList`. */
function macroName(component: string): string {
  const [family, , slug] = component.split('/');
  return `${family}${(slug ?? '').replace(/(^|-)([a-z])/g, (_m, _dash: string, c: string) => c.toUpperCase())}`;
}

function addFilters(env: nunjucks.Environment): void {
  // The built-in trim uses a regular expression that costs quadratic time on the long, indented HTML the
  // GOV.UK macros pass through it (about a sixth of a page's rendering); String.prototype.trim is linear.
  const { SafeString } = nunjucks.runtime;
  env.addFilter('trim', (value: unknown) => {
    if (value instanceof SafeString) return new SafeString(value.toString().trim());
    return typeof value === 'string' ? value.trim() : value;
  });
}

/**
 * Templates resolve from Liaison's own views, then module folders (`accounts/views/x.njk`), then
 * GOV.UK Frontend (`govuk/...`) and MOJ Frontend (`moj/...`). Autoescape is on: every value is inert
 * text unless a template says otherwise.
 */
export function createViewEnvironment(options: { watch?: boolean } = {}): nunjucks.Environment {
  const frontend = [
    path.join(nodeModules, 'govuk-frontend', 'dist'),
    path.join(nodeModules, '@ministryofjustice', 'frontend'),
  ];
  const loaderOptions = { watch: options.watch ?? false, noCache: false };
  const env = new nunjucks.Environment(
    new MemoisingLoader([path.join(SRC_DIR, 'views'), path.join(SRC_DIR, 'modules'), ...frontend], loaderOptions),
    { autoescape: true, throwOnUndefined: false },
  );
  // The real components, rendered by `__component` in an environment of their own.
  const components = new nunjucks.Environment(new UnindentingLoader(frontend, loaderOptions), {
    autoescape: true,
    throwOnUndefined: false,
  });
  addFilters(env);
  addFilters(components);
  const compiled = new Map<string, nunjucks.Template>();
  const cache = new ComponentCache();
  const { SafeString } = nunjucks.runtime;
  env.addGlobal('__component', (component: string, params: unknown) => {
    const html = cache.get(`${component}\u0000${componentKey(params)}`, () => {
      let template = compiled.get(component);
      if (!template) {
        const macro = macroName(component);
        template = new nunjucks.Template(
          `{% from "${component}/macro.njk" import ${macro} %}{{ ${macro}(params) }}`,
          components,
          `${component}/memoised.njk`,
        );
        compiled.set(component, template);
      }
      return template.render({ params });
    });
    return new SafeString(html);
  });
  env.addExtension('FragmentCache', fragmentCache(cache));
  env.addFilter('date', formatDate);
  env.addFilter('datetime', formatDateTime);
  env.addFilter('isoDate', formatIso);
  env.addFilter('number', (value: unknown) =>
    typeof value === 'number' ? value.toLocaleString('en-GB') : typeof value === 'string' ? value : '',
  );
  /** Error message for one field from the page's error list, in the shape GOV.UK macros take. */
  env.addFilter('fieldError', (errors: unknown, field: string) => {
    if (!Array.isArray(errors)) return undefined;
    const found = (errors as { field: string; message: string }[]).find((e) => e.field === field);
    return found ? { text: found.message } : undefined;
  });
  /** The error list in the shape govukErrorSummary takes. */
  env.addFilter('errorSummaryList', (errors: unknown) =>
    Array.isArray(errors)
      ? (errors as { field: string; message: string }[]).map((e) => ({ text: e.message, href: `#${e.field}` }))
      : [],
  );
  return env;
}
