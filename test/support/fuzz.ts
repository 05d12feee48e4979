import fc from 'fast-check';
import { parse, type HTMLElement } from 'node-html-parser';

/**
 * Hostile input for the fuzzing suite: what an attacker, a broken client or a bad paste sends.
 * Every value comes from fast-check with a fixed seed, so a run is the same on every machine.
 */

/** Sent in every field once: it must never come back as markup. */
export const SCRIPT_MARKER = '<script>fz()</script>';

const nasty = fc.constantFrom(
  '\u0000',
  '\u0001',
  '\u0007',
  '\u000b',
  '\u001b',
  '\u007f',
  '\u0085',
  '\ud800',
  '\udfff',
  '\u202e',
  '\u2066',
  '\ufeff',
);

const awkward = fc.constantFrom(
  '0000-01-01',
  '9999-12-31',
  '2026-02-30',
  '2026-11-31',
  '1899-12-31',
  '-1',
  '0',
  '2147483648',
  '-9223372036854775809',
  '99999999999999999999',
  '1e400',
  'NaN',
  'Infinity',
  SCRIPT_MARKER,
  '"><img src=x onerror=fz()>',
  "'; drop table users; --",
  '../../../../etc/passwd',
  '%00',
  '{{ 7 * 7 }}',
  '${7*7}',
  ' ',
  '',
);

/** Strings no field should need: control characters, lone surrogates, out-of-range dates and numbers, markup. */
export const hostileText = (options: { long: boolean }) =>
  fc.oneof(
    {
      arbitrary: fc.tuple(fc.string({ maxLength: 12 }), nasty, fc.string({ maxLength: 12 })).map((p) => p.join('')),
      weight: 4,
    },
    { arbitrary: awkward, weight: 4 },
    { arbitrary: fc.string({ unit: 'binary', maxLength: 24 }), weight: 2 },
    // Past every column and every field's own limit (a query string stays within a URL's length).
    { arbitrary: fc.constant('x'.repeat(options.long ? 120_000 : 4_000)), weight: 1 },
  );

/** Any JSON value where a field expects one kind: the wrong type, extremes of number, nesting. */
export const hostileJson = fc.oneof(
  { arbitrary: hostileText({ long: true }), weight: 5 },
  {
    arbitrary: fc.constantFrom<unknown>(null, true, false, 0, -1, 2 ** 31, 2 ** 53, -(2 ** 53), 1e308, 0.5, [], {}),
    weight: 3,
  },
  { arbitrary: fc.integer(), weight: 1 },
  { arbitrary: fc.array(hostileText({ long: false }), { maxLength: 3 }), weight: 1 },
  { arbitrary: fc.dictionary(fc.string({ maxLength: 6 }), fc.string({ maxLength: 6 }), { maxKeys: 3 }), weight: 1 },
);

/** `count` values of `arbitrary`, the same on every run for one `seed`: the marker first. */
export function samples<T>(arbitrary: fc.Arbitrary<T>, seed: number, count: number): (T | string)[] {
  return [SCRIPT_MARKER, ...fc.sample(arbitrary, { seed, numRuns: count })];
}

// ---------------------------------------------------------------------------------------------
// Pages and their forms

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi;

/** A path with its record ids as `:id`: the route it belongs to. */
export const routeOf = (path: string) => (path.split(/[?#]/)[0] ?? '/').replace(UUID, ':id');

export interface PageForm {
  /** The address the form posts to, with any query string it carries. */
  action: string;
  multipart: boolean;
  /** Field name → the values the page sets (several for a checkbox group). */
  fields: Map<string, string[]>;
  /** A file input's name, for an upload form. */
  fileField: string | null;
}

/**
 * Links to other pages of the site, and the forms that post, on one page. A search or filter form
 * (method GET) counts as a link, with the values the page sets or `search` in its empty text fields.
 */
export function readPage(
  html: string,
  pageUrl: string,
  search = '',
): { links: string[]; forms: PageForm[]; searches: PageForm[] } {
  const root = parse(html);
  const links = root
    .querySelectorAll('a[href]')
    .map((a) => a.getAttribute('href') ?? '')
    .filter((href) => href.startsWith('/') && !href.startsWith('//'))
    .map((href) => href.split('#')[0] ?? '');
  const all = root.querySelectorAll('form');
  const isPost = (f: HTMLElement) => (f.getAttribute('method') ?? 'get').toLowerCase() === 'post';
  const searches = all.filter((f) => !isPost(f)).map((f) => readForm(f, pageUrl));
  for (const form of searches) {
    const query = new URLSearchParams();
    for (const [name, values] of form.fields)
      for (const value of values.length > 0 ? values : [search]) query.append(name, value || search);
    links.push(`${form.action.split('?')[0] ?? pageUrl}?${query.toString()}`);
  }
  return { links, forms: all.filter(isPost).map((f) => readForm(f, pageUrl)), searches };
}

function readForm(form: HTMLElement, pageUrl: string): PageForm {
  const fields = new Map<string, string[]>();
  const add = (name: string, value: string) => fields.set(name, [...(fields.get(name) ?? []), value]);
  let fileField: string | null = null;
  const radios = new Map<string, string>();
  for (const el of form.querySelectorAll('input, textarea, select, button')) {
    const name = el.getAttribute('name');
    if (!name) continue;
    const tag = el.tagName.toLowerCase();
    const type = (el.getAttribute('type') ?? (tag === 'button' ? 'submit' : 'text')).toLowerCase();
    if (tag === 'textarea') add(name, el.text);
    else if (tag === 'select') {
      const options = el.querySelectorAll('option');
      const chosen = options.find((o) => o.hasAttribute('selected')) ?? options.find((o) => o.getAttribute('value'));
      add(name, chosen?.getAttribute('value') ?? chosen?.text ?? '');
    } else if (type === 'file') fileField = name;
    else if (type === 'radio') {
      // The one checked, else the first offered.
      if (el.hasAttribute('checked') || !radios.has(name)) radios.set(name, el.getAttribute('value') ?? 'on');
    } else if (type === 'checkbox') {
      if (el.hasAttribute('checked')) add(name, el.getAttribute('value') ?? 'on');
      else if (!fields.has(name)) fields.set(name, []);
    } else if (type === 'submit') {
      if (!fields.has(name)) add(name, el.getAttribute('value') ?? '');
    } else add(name, el.getAttribute('value') ?? '');
  }
  for (const [name, value] of radios) fields.set(name, [value]);
  const action = form.getAttribute('action') || pageUrl;
  return {
    action,
    multipart: (form.getAttribute('enctype') ?? '').toLowerCase() === 'multipart/form-data',
    fields,
    fileField,
  };
}

// ---------------------------------------------------------------------------------------------
// JSON Schema (the OpenAPI document's): a valid-looking body to start from, and its fields

export type JsonSchema = {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  enum?: unknown[];
  const?: unknown;
  format?: string;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  items?: JsonSchema;
  minimum?: number;
  minLength?: number;
  default?: unknown;
};

/** A value of the shape `schema` describes, as a careful client would send it. */
export function exampleOf(schema: JsonSchema, idFor: (name: string) => string, name = ''): unknown {
  if (schema.const !== undefined) return schema.const;
  if (schema.enum && schema.enum.length > 0) return schema.enum[0];
  const options = schema.anyOf ?? schema.oneOf;
  if (options) {
    const first = options.find((o) => o.type !== 'null') ?? options[0];
    return first ? exampleOf(first, idFor, name) : null;
  }
  const type = Array.isArray(schema.type) ? schema.type.find((t) => t !== 'null') : schema.type;
  switch (type) {
    case 'object': {
      const out: Record<string, unknown> = {};
      for (const [key, inner] of Object.entries(schema.properties ?? {}))
        if ((schema.required ?? []).includes(key)) out[key] = exampleOf(inner, idFor, key);
      return out;
    }
    case 'array':
      return schema.items ? [exampleOf(schema.items, idFor, name)] : [];
    case 'boolean':
      return true;
    case 'integer':
    case 'number':
      return schema.minimum !== undefined && schema.minimum > 1 ? schema.minimum : 1;
    case 'string':
      if (schema.format === 'uuid') return idFor(name);
      if (schema.format === 'email') return 'fuzz@example.org';
      if (schema.format === 'date') return '2026-06-01';
      if (schema.format === 'date-time') return '2026-06-01T10:00:00Z';
      return 'Fuzz value long enough for any minimum'.slice(0, Math.max(schema.minLength ?? 0, 10));
    case 'null':
    case undefined:
    default:
      return 'fuzz';
  }
}

/** Every field of a body schema, as paths (top-level and one level into nested objects). */
export function fieldPaths(schema: JsonSchema, prefix: string[] = [], depth = 0): string[][] {
  const properties = schema.properties ?? (schema.anyOf ?? schema.oneOf ?? []).find((o) => o.properties)?.properties;
  if (!properties) return [];
  return Object.entries(properties).flatMap(([key, inner]) => {
    const path = [...prefix, key];
    const nested = depth < 1 ? fieldPaths(inner, path, depth + 1) : [];
    return [path, ...nested];
  });
}

/** `body` with the value at `path` replaced (objects on the way made as needed). */
export function withValue(body: unknown, path: string[], value: unknown): unknown {
  const copy = structuredClone((body ?? {}) as Record<string, unknown>);
  let at: Record<string, unknown> = copy;
  for (const key of path.slice(0, -1)) {
    const next = at[key];
    at[key] = next && typeof next === 'object' && !Array.isArray(next) ? next : {};
    at = at[key] as Record<string, unknown>;
  }
  at[path[path.length - 1] ?? ''] = value;
  return copy;
}
