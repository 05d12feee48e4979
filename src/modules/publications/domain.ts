/**
 * Publications: what they are, where they live on the site, and when the public sees them. Pure:
 * no I/O.
 */

export const PUBLICATION_KINDS = [
  'focus-report',
  'guidance-note',
  'good-practice-guide',
  'joint-report',
  'annual-report',
  'policy',
] as const;
export type PublicationKind = (typeof PUBLICATION_KINDS)[number];

export const KIND_NAMES: Record<PublicationKind, string> = {
  'focus-report': 'Focus report',
  'guidance-note': 'Guidance note',
  'good-practice-guide': 'Good-practice guide',
  'joint-report': 'Joint report',
  'annual-report': 'Annual report',
  policy: 'Policy',
};

export const isPublicationKind = (value: string): value is PublicationKind =>
  (PUBLICATION_KINDS as readonly string[]).includes(value);

/**
 * Where a publication stands. A published one whose time is still to come is `scheduled`: the
 * public sees it from that moment, without anything having to run.
 */
export type PublicationState = 'draft' | 'scheduled' | 'published' | 'withdrawn';

export const STATE_NAMES: Record<PublicationState, string> = {
  draft: 'Draft',
  scheduled: 'Scheduled',
  published: 'Published',
  withdrawn: 'Withdrawn',
};

export function stateOf(
  row: { status: 'draft' | 'published' | 'withdrawn'; published_at: Date | null },
  now: Date,
): PublicationState {
  if (row.status === 'published') return row.published_at && row.published_at > now ? 'scheduled' : 'published';
  return row.status;
}

export const SLUG_MAX_LENGTH = 120;

/**
 * The web address of a title: "Out of sight: complaints about home care (2026)" →
 * "out-of-sight-complaints-about-home-care-2026". Accents are dropped, every other character that
 * is not a letter or digit becomes a hyphen; cut at a word's end. Empty when the title has no
 * letter or digit of the Latin alphabet.
 */
export function slugOf(title: string): string {
  const words = title
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase()
    .replace(/['’]/g, '')
    .replace(/&/g, ' and ')
    .split(/[^a-z0-9]+/)
    .filter((w) => w !== '');
  let slug = '';
  for (const word of words) {
    const next = slug === '' ? word : `${slug}-${word}`;
    if (next.length > SLUG_MAX_LENGTH) break;
    slug = next;
  }
  return slug === '' && words[0] ? words[0].slice(0, SLUG_MAX_LENGTH) : slug;
}

export const publicationPath = (slug: string) => `/publications/${slug}`;

/** Headings a document needs before it gets a contents list. */
export const CONTENTS_MIN_HEADINGS = 3;

const londonParts = new Intl.DateTimeFormat('en-GB', {
  timeZone: 'Europe/London',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  hourCycle: 'h23',
});

function londonWallClock(instant: Date): string {
  const p = Object.fromEntries(londonParts.formatToParts(instant).map((x) => [x.type, x.value]));
  return `${p.year}-${p.month}-${p.day}T${p.hour}:${p.minute}`;
}

/**
 * The instant a London date and time names (GMT in winter, BST in summer). Null for a time that
 * does not exist in London (the hour the clocks go forward skips); in the hour the clocks go back,
 * the first of the two.
 */
export function londonInstant(date: string, hour: number, minute: number): Date | null {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(date) || hour < 0 || hour > 23 || minute < 0 || minute > 59) return null;
  const wall = `${date}T${String(hour).padStart(2, '0')}:${String(minute).padStart(2, '0')}`;
  const asUtc = new Date(`${wall}:00Z`);
  if (Number.isNaN(asUtc.getTime())) return null;
  // London is UTC or UTC+1: of the two candidates, the earlier that shows this wall clock.
  for (const offsetHours of [1, 0]) {
    const candidate = new Date(asUtc.getTime() - offsetHours * 3_600_000);
    if (londonWallClock(candidate) === wall) return candidate;
  }
  return null;
}

/**
 * A time of day as people type it: "9am", "9:30am", "12pm" (noon), "14:30", "noon", "midnight".
 * Null when it is not one.
 */
export function parseTimeOfDay(text: string): { hour: number; minute: number } | null {
  const t = text.trim().toLowerCase().replace(/\s+/g, '').replace(/\./g, ':');
  if (t === 'noon' || t === 'midday') return { hour: 12, minute: 0 };
  if (t === 'midnight') return { hour: 0, minute: 0 };
  const m = /^(\d{1,2})(?::(\d{2}))?(am|pm)?$/.exec(t);
  if (!m) return null;
  let hour = Number(m[1]);
  const minute = m[2] === undefined ? 0 : Number(m[2]);
  const suffix = m[3];
  if (minute > 59) return null;
  if (suffix) {
    if (hour < 1 || hour > 12) return null;
    hour = (hour % 12) + (suffix === 'pm' ? 12 : 0);
  } else if (hour > 23 || m[2] === undefined) {
    return null;
  }
  return { hour, minute };
}

/** The instants a London calendar year runs between: [1 January, next 1 January). */
export function londonYear(year: number): { from: Date; to: Date } {
  const from = londonInstant(`${year}-01-01`, 0, 0);
  const to = londonInstant(`${year + 1}-01-01`, 0, 0);
  if (!from || !to) throw new Error(`no London year ${year}`);
  return { from, to };
}

/** Marks ts_headline puts around a match: private-use characters, never kept in what is searched. */
export const MATCH_START = '\uE000';
export const MATCH_END = '\uE001';
const MARKS = /[\uE000\uE001]/g;

/** Text without the match marks, before it is stored to be searched. */
export const withoutMatchMarks = (text: string) => text.replace(MARKS, '');

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** A search snippet as HTML: the text escaped, each match in a `<mark>`. */
export function snippetHtml(marked: string): string {
  const escaped = marked.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c] ?? c);
  let open = false;
  let out = escaped.replace(MARKS, (mark) => {
    if (mark === MATCH_START && !open) {
      open = true;
      return '<mark>';
    }
    if (mark === MATCH_END && open) {
      open = false;
      return '</mark>';
    }
    return '';
  });
  if (open) out += '</mark>';
  return out;
}

/** Questions for councillors: one a line, numbered or bulleted or not; blank lines ignored. */
export function questionsFromText(text: string): string[] {
  return text
    .split(/\r?\n/)
    .map((line) => line.replace(/^\s*(?:[-*•]|\d+[.)])\s*/, '').trim())
    .filter((line) => line !== '');
}

/** Partner organisations of a joint report: one a line. */
export const linesOf = (text: string): string[] =>
  text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== '');
