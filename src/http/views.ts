import path from 'node:path';
import { LRUCache } from 'lru-cache';
import nunjucks from 'nunjucks';
import { formatDate, formatDateTime, formatIso } from '../platform/dates.ts';
import { ROOT_DIR, SRC_DIR } from '../platform/paths.ts';

export { ROOT_DIR, SRC_DIR };
const nodeModules = path.join(ROOT_DIR, 'node_modules');

/** Loads templates without their indentation (see `stripIndentation`). */
class UnindentingLoader extends nunjucks.FileSystemLoader {
  override getSource(name: string): nunjucks.LoaderSource {
    const source = super.getSource(name);
    return source && { ...source, src: stripIndentation(source.src) };
  }
}

/**
 * A template's text without the spaces that indent its lines and without its blank lines. The
 * templates are indented for people to read; sent as they are, much of a long page is spaces, which
 * cost time to build, encode and send. Between HTML tags a line break is as much white space
 * as any number of spaces, so pages look and read the same; nothing here is preformatted (no
 * `<pre>`, and textareas and pre-wrap elements take their text from values, which are untouched).
 */
export function stripIndentation(src: string): string {
  return src.replace(/^[ \t]+/gm, '').replace(/\n{2,}/g, '\n');
}

function addFilters(env: nunjucks.Environment): void {
  // The built-in trim uses a regular expression that costs quadratic time on the long, indented HTML the
  // GOV.UK macros pass through it; String.prototype.trim is linear.
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
  const env = new nunjucks.Environment(
    new UnindentingLoader([path.join(SRC_DIR, 'views'), path.join(SRC_DIR, 'modules'), ...frontend], {
      watch: options.watch ?? false,
      noCache: false,
    }),
    { autoescape: true, throwOnUndefined: false },
  );
  addFilters(env);
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

let fragments: nunjucks.Environment | undefined;

/**
 * A template rendered on its own, in an environment like the pages': for a fragment a route renders
 * once and keeps, passing the markup to its page (the directory's filter panel).
 */
export function renderFragment(template: string, context: Record<string, unknown>): string {
  fragments ??= createViewEnvironment();
  return fragments.render(template, context);
}

/** The layout's header and service navigation as markup, for `layout.njk` to write out as they are. */
export interface LayoutChrome {
  header: string;
  serviceNavigation: string;
}

/** What `layoutChrome` renders from: the navigation's service name and address and its items. */
export interface ChromeNavigation {
  serviceName: string;
  serviceUrl: string;
  items: readonly { text: string; href: string; active: boolean }[];
}

/**
 * Kept per navigation state (service name and address, the items and which is active). The items
 * come from fixed lists filtered by role, so the states are few; the bound is a safeguard.
 */
const chromes = new LRUCache<string, LayoutChrome>({ max: 500 });

/**
 * The layout's GOV.UK header and service navigation, rendered once for each navigation state and
 * kept: they depend on nothing else. Who is signed in, the sign-out form's CSRF token and anything
 * else per person or per request stay in the layout, rendered on every request.
 */
export function layoutChrome(navigation: ChromeNavigation): LayoutChrome {
  const items = navigation.items.map((item) => ({ text: item.text, href: item.href, active: item.active }));
  const state = { serviceName: navigation.serviceName, serviceUrl: navigation.serviceUrl, items };
  const key = JSON.stringify(state);
  let chrome = chromes.get(key);
  if (chrome === undefined) {
    chrome = {
      header: renderFragment('partials/layout-chrome.njk', { part: 'header' }),
      serviceNavigation: renderFragment('partials/layout-chrome.njk', { part: 'serviceNavigation', navigation: state }),
    };
    chromes.set(key, chrome);
  }
  return chrome;
}
