import fs from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import type { Actor } from '../src/modules/accounts/domain.ts';
import { navigationFrom } from '../src/http/navigation.ts';
import { MODULES } from '../src/modules/index.ts';

const navigationFor = navigationFrom(MODULES.flatMap((m) => m.navigation ?? []));
import * as views from '../src/http/views.ts';
import * as logPresenters from '../src/modules/local-complaints/presenters.ts';

/**
 * Render time alone, in one process: `node --import tsx bench/render.ts` prints µs a render (min and
 * median of five batches of 1,000 after 500 to warm up) for each page below, built as `reply.render`
 * builds it. `node --import tsx bench/render.ts --dump DIR` writes each page's HTML to DIR instead, to
 * compare two versions of the code byte for byte (`cmp`/`diff -r`).
 */

type Context = Record<string, unknown>;

const staff: Actor = {
  type: 'user',
  id: '00000000-0000-4000-8000-000000000001',
  roles: ['casework-manager', 'investigator', 'administrator'],
  authorityId: null,
};
const portal: Actor = {
  type: 'user',
  id: '00000000-0000-4000-8000-000000000002',
  roles: ['link-officer'],
  authorityId: '00000000-0000-4000-8000-0000000000aa',
};

const env = views.createViewEnvironment();
// The layout's kept header and service navigation, where this version of the code has them.
const chromeOf = (views as { layoutChrome?: (navigation: unknown) => unknown }).layoutChrome;

/** The context `reply.render` (src/http/app.ts) gives every page, then the page's own. */
function pageContext(actor: Actor | null, url: string, own: Context): Context {
  const navigation = navigationFor(actor, url);
  return {
    cspNonce: 'bm9uY2Utbm9uY2Utbm9uY2U',
    csrfToken: 'Y3NyZi10b2tlbi1jc3JmLXRva2VuLWNzcmYtdG9rZW4',
    currentUser: actor && {
      id: actor.id,
      displayName: 'Sam <Smith> & Co',
      authorityName: actor.authorityId ? 'Anytown Borough Council' : null,
    },
    currentPath: url.split('?')[0],
    navigation,
    ...(chromeOf ? { layoutChrome: chromeOf(navigation) } : {}),
    errors: [],
    values: {},
    notice: undefined,
    ...own,
  };
}

const STATUSES = ['received', 'assessment', 'investigation', 'closed'];
const investigators = Array.from({ length: 40 }, (_, i) => ({
  id: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
  name: `Investigator ${i} O’Neill`,
}));

// The case list's filter form, where this version of the code renders it apart (as its route does,
// once per set of filter values: kept here by the page's name).
const filterPartial = 'complaints/views/partials/case-list-filters.njk';
const hasFilterPartial = fs.existsSync(path.join(views.SRC_DIR, 'modules', filterPartial));
const filterForms = new Map<string, string>();

function staffListContext(name: string, query: Context, errors: { field: string; message: string }[] = []): Context {
  const context = staffListFilters(query, errors);
  if (!hasFilterPartial) return context;
  // A form showing an error is rendered afresh by the route.
  if (errors.length > 0) return { ...context, filterForm: views.renderFragment(filterPartial, context) };
  let form = filterForms.get(name);
  if (form === undefined) {
    form = views.renderFragment(filterPartial, context);
    filterForms.set(name, form);
  }
  return { ...context, filterForm: form };
}

function staffListFilters(query: Context, errors: { field: string; message: string }[]): Context {
  return {
    query,
    page: { items: [], nextCursor: null },
    authorityName: query.authorityId ? 'Anytown Borough Council' : null,
    authorityMatches: errors.length
      ? [{ id: 'a1', name: 'Anytown North', href: '/staff/complaints?authorityId=a1' }]
      : [],
    typedAuthority: errors.length ? query.authority : '',
    errors,
    rows: [],
    statusItems: [
      { value: '', text: 'Any status' },
      ...STATUSES.map((s) => ({ value: s, text: s, selected: query.status === s })),
    ],
    serviceAreaItems: [
      { value: '', text: 'Any service' },
      { value: 'housing', text: 'Housing', selected: query.serviceArea === 'housing' },
      { value: 'planning', text: 'Planning', selected: query.serviceArea === 'planning' },
    ],
    investigatorItems: [
      { value: '', text: 'Anyone' },
      { value: 'none', text: 'Not allocated (under investigation)', selected: query.investigatorId === 'none' },
      ...investigators.map((i) => ({ value: i.id, text: i.name, selected: query.investigatorId === i.id })),
    ],
    nextHref: null,
    allowedTo: { intake: true },
  };
}

const pages: { name: string; template: string; context: () => Context }[] = [
  { name: 'not-found-public', template: 'errors/404.njk', context: () => pageContext(null, '/nowhere', {}) },
  { name: 'not-found-sign-in', template: 'errors/404.njk', context: () => pageContext(null, '/sign-in', {}) },
  {
    name: 'not-found-staff',
    template: 'errors/404.njk',
    context: () => pageContext(staff, '/staff/complaints/x?y=1', {}),
  },
  { name: 'not-found-staff-more', template: 'errors/404.njk', context: () => pageContext(staff, '/staff/audit', {}) },
  { name: 'not-found-portal', template: 'errors/404.njk', context: () => pageContext(portal, '/portal/more', {}) },
  { name: 'not-found-account', template: 'errors/404.njk', context: () => pageContext(portal, '/account', {}) },
  {
    name: 'staff-list',
    template: 'complaints/views/staff-list.njk',
    context: () => pageContext(staff, '/staff/complaints', staffListContext('staff-list', {})),
  },
  {
    name: 'staff-list-filtered',
    template: 'complaints/views/staff-list.njk',
    context: () =>
      pageContext(
        staff,
        '/staff/complaints?status=assessment',
        staffListContext('staff-list-filtered', {
          status: 'assessment',
          investigatorId: investigators[3]?.id,
          urgent: 'yes',
          reference: 'LGO-<1>',
          authorityId: '00000000-0000-4000-8000-0000000000aa',
        }),
      ),
  },
  {
    name: 'staff-list-errors',
    template: 'complaints/views/staff-list.njk',
    context: () =>
      pageContext(
        staff,
        '/staff/complaints?authority=Any',
        staffListContext('staff-list-errors', { authority: 'Any"town', overdue: 'yes', serviceArea: 'housing' }, [
          { field: 'authority', message: 'More than one authority matches ‘Any"town’: choose one from the list' },
        ]),
      ),
  },
  ...[
    { status: 'investigation', statusName: 'Under investigation', urgent: true },
    { status: 'closed', statusName: 'Closed', urgent: false },
    { status: 'assessment', statusName: 'Assessment <& “quoted”>', urgent: true },
  ].map((c, i) => ({
    name: `case-header-${i + 1}`,
    template: 'complaints/views/_case-header.njk',
    context: () => ({
      view: {
        complaint: { reference: `LGO-2026-00012${i}`, status: c.status, urgent: c.urgent },
        authority: { name: 'Anytown & District Council' },
      },
      statusName: c.statusName,
      subNav: [
        { text: 'Summary', href: '/staff/complaints/1', active: true },
        { text: 'Timeline', href: '/staff/complaints/1/timeline', active: false },
      ],
    }),
  })),
  ...[false, true].map((filtered, i) => ({
    name: `timeline-filter-${i + 1}`,
    template: 'decisions/views/_timeline.njk',
    context: () => ({
      events: [],
      filtered,
      chosenNames: filtered ? ['Enquiries', 'Decisions'] : [],
      kindItems: [
        { value: 'enquiry', text: 'Enquiries', checked: filtered },
        { value: 'decision', text: 'Decisions', checked: filtered },
        { value: 'mail', text: 'Mail', checked: false },
      ],
      timelineAction: '/staff/complaints/1/timeline',
      documentBase: '/staff/documents/',
      showBy: true,
    }),
  })),
];

// The local complaints log: 50 records, as its route gives them, with its filter fields.
const logFilter: logPresenters.LogFilter = { serviceArea: 'housing' };
const logFilterForm = views.renderFragment('local-complaints/views/partials/log-filters.njk', {
  filter: logFilter,
  filtered: true,
  ...logPresenters.logFilterItems(logFilter),
});
const logRecords: logPresenters.LogRecord[] = Array.from({ length: 50 }, (_, i) => ({
  id: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
  reference: `CMP-${String(100_000 + i)}`,
  statutory_route: i % 9 === 0 ? 'adult-social-care' : null,
  received_on: `2026-${String((i % 12) + 1).padStart(2, '0')}-${String((i % 27) + 1).padStart(2, '0')}`,
  service_area: ['housing', 'planning', 'adult-social-care', 'education'][i % 4] ?? 'housing',
  stage: i % 10 === 0 ? 2 : 1,
  closed_on: i % 3 === 0 ? '2026-11-02' : null,
  complaint_id: i % 17 === 0 ? 'c' : null,
  next_due_on: i % 3 === 0 ? null : '2026-12-14',
  due: (['overdue', 'due-soon', 'on-track'] as const)[i % 3] ?? null,
}));
pages.push({
  name: 'local-complaints-log',
  template: 'local-complaints/views/log.njk',
  context: () =>
    pageContext(portal, '/portal/local-complaints', {
      rows: logPresenters.logRows(logRecords),
      // Kept by the route once per set of filter values.
      filterForm: logFilterForm,
      filtered: true,
      firstPage: true,
      nextHref: logPresenters.logNextHref(logFilter, 'abc'),
      canManage: true,
    }),
});

const dumpAt = process.argv.indexOf('--dump');
if (dumpAt !== -1) {
  const dir = process.argv[dumpAt + 1] ?? 'render-dump';
  fs.mkdirSync(dir, { recursive: true });
  for (const page of pages)
    fs.writeFileSync(path.join(dir, `${page.name}.html`), env.render(page.template, page.context()));
  console.log(`${pages.length} pages written to ${dir}`);
} else {
  const only = process.argv[2];
  for (const page of pages.filter((p) => !only || p.name === only)) {
    const batch = (n: number): number => {
      const start = performance.now();
      for (let i = 0; i < n; i++) env.render(page.template, page.context());
      return ((performance.now() - start) * 1000) / n;
    };
    batch(500);
    const times = Array.from({ length: 5 }, () => batch(1000)).sort((a, b) => a - b);
    const [min = 0, , median = 0] = times;
    console.log(`${page.name.padEnd(22)} min ${min.toFixed(1)} µs  median ${median.toFixed(1)} µs`);
  }
}
