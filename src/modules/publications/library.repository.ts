import { sql, type Kysely, type SqlBool } from 'kysely';
import { planEachRun } from '../../platform/db/prepared.ts';
import type { Database } from '../../platform/db/schema.ts';
import { afterKeyset } from '../../platform/pagination.ts';
import { MATCH_END, MATCH_START, type PublicationKind } from './domain.ts';

export interface LibraryFilters {
  words: string | null;
  kind: PublicationKind | null;
  topic: string | null;
  from: Date | null;
  to: Date | null;
}

export interface LibraryRow {
  id: string;
  kind: string;
  slug: string;
  title: string;
  summary: string;
  published_at: Date;
  corrected_at: Date | null;
  /** For a search: 1 when the title matches, 0 when only the summary or the text does. */
  tier: number;
  /** With words searched for: where they occur in the text, matches between MATCH_START and MATCH_END. */
  snippet: string | null;
}

/**
 * A position in the library: [published at, id] for a list; for a search, [tier, published at, id],
 * the order of its results.
 */
export type LibraryKey = [string, string] | [number, string, string];

const HEADLINE_OPTIONS = `StartSel=${MATCH_START}, StopSel=${MATCH_END}, MaxFragments=1, MinWords=15, MaxWords=35`;

/**
 * How much of a publication's text its search snippet is cut from, in one fragment: ts_headline
 * reads and stems all it is given and looks for the best fragments in it, which cost a page of 20
 * results 11 ms over 2,000 characters for two fragments, and 0.3 ms over 1,200 for one.
 */
const SNIPPET_SOURCE_CHARACTERS = 1200;

/** A word to leave out (`-word`) in a web search's words. */
const NEGATION = /(^|\s)-\S/;

/** The statements of the public library: its lists and search, the feed, the sitemap, the latest. */
export class LibraryRepository {
  constructor(private readonly db: Kysely<Database>) {}

  /** Published publications at `now` with the filters, as the base of every list and search. */
  private published(filters: LibraryFilters, now: Date) {
    let query = this.db
      .selectFrom('publications as p')
      .where('p.status', '=', 'published')
      .where('p.published_at', '<=', now);
    if (filters.kind) query = query.where('p.kind', '=', filters.kind);
    if (filters.topic) query = query.where(sql<SqlBool>`p.topics @> ARRAY[${filters.topic}]::text[]`);
    if (filters.from) query = query.where('p.published_at', '>=', filters.from);
    if (filters.to) query = query.where('p.published_at', '<', filters.to);
    return query;
  }

  /**
   * One page of the library. Without words, newest first. With words, those whose title matches come
   * first, then those that match in their summary or text; each group newest first. Neither group is
   * ranked row by row: each is read in the date index's order (or from the word indexes when few
   * match), so a word that most publications contain reads a page of rows, not all of them. Each
   * group is one statement, planned for its values.
   */
  async page(filters: LibraryFilters, now: Date, after: LibraryKey | null, limit: number): Promise<LibraryRow[]> {
    const words = filters.words;
    if (!words) {
      let list = this.published(filters, now).select(['p.id', 'p.published_at']);
      if (after?.length === 2)
        list = list.where(
          afterKeyset(
            [sql`p.published_at`, sql`p.id`],
            [sql`${after[0]}::timestamptz`, sql`${after[1]}::uuid`],
            'desc',
          ),
        );
      const rows = await list
        .orderBy('p.published_at', 'desc')
        .orderBy('p.id', 'desc')
        .limit(limit)
        .modifyEnd(planEachRun)
        .execute();
      return this.details(
        rows.map((r) => ({ id: r.id, published_at: r.published_at as Date, tier: 0 })),
        null,
      );
    }
    const query = sql`publication_search_query(${words})`;
    const found: { id: string; published_at: Date; tier: number }[] = [];
    const cursorTier = after?.length === 3 ? after[0] : 1;
    if (cursorTier === 1) {
      let titles = this.published(filters, now)
        .select(['p.id', 'p.published_at'])
        .where(sql<SqlBool>`p.title_search @@ ${query}`);
      // A word left out must be missing from the whole publication, not only from its title.
      if (NEGATION.test(words)) titles = titles.where(sql<SqlBool>`p.search @@ ${query}`);
      if (after?.length === 3)
        titles = titles.where(
          afterKeyset(
            [sql`p.published_at`, sql`p.id`],
            [sql`${after[1]}::timestamptz`, sql`${after[2]}::uuid`],
            'desc',
          ),
        );
      const rows = await titles
        .orderBy('p.published_at', 'desc')
        .orderBy('p.id', 'desc')
        .limit(limit)
        .modifyEnd(planEachRun)
        .execute();
      for (const r of rows) found.push({ id: r.id, published_at: r.published_at as Date, tier: 1 });
    }
    if (found.length < limit) {
      let texts = this.published(filters, now)
        .select(['p.id', 'p.published_at'])
        .where(sql<SqlBool>`p.search @@ ${query}`)
        .where(sql<SqlBool>`NOT (p.title_search @@ ${query})`);
      if (after?.length === 3 && after[0] === 0)
        texts = texts.where(
          afterKeyset(
            [sql`p.published_at`, sql`p.id`],
            [sql`${after[1]}::timestamptz`, sql`${after[2]}::uuid`],
            'desc',
          ),
        );
      const rows = await texts
        .orderBy('p.published_at', 'desc')
        .orderBy('p.id', 'desc')
        .limit(limit - found.length)
        .modifyEnd(planEachRun)
        .execute();
      for (const r of rows) found.push({ id: r.id, published_at: r.published_at as Date, tier: 0 });
    }
    return this.details(found, words);
  }

  /** What a page of results shows, in the order found, with a snippet of the text for a search. */
  private async details(
    found: { id: string; published_at: Date; tier: number }[],
    words: string | null,
  ): Promise<LibraryRow[]> {
    if (found.length === 0) return [];
    const snippet = words
      ? sql<string | null>`ts_headline(
          'english', left(p.body_text, ${SNIPPET_SOURCE_CHARACTERS}), publication_search_query(${words}), ${HEADLINE_OPTIONS}
        )`
      : sql<string | null>`NULL::text`;
    const rows = await this.db
      .selectFrom('publications as p')
      .select(['p.id', 'p.kind', 'p.slug', 'p.title', 'p.summary', 'p.corrected_at'])
      .select(snippet.as('snippet'))
      .where(
        'p.id',
        'in',
        found.map((f) => f.id),
      )
      .modifyEnd(planEachRun)
      .execute();
    const byId = new Map(rows.map((r) => [r.id, r]));
    return found.flatMap((f) => {
      const row = byId.get(f.id);
      return row ? [Object.assign({ published_at: f.published_at, tier: f.tier }, row)] : [];
    });
  }

  /** New and corrected publications, the latest change first: the Atom feed. */
  feed(now: Date, limit: number) {
    return this.db
      .selectFrom('publications as p')
      .select(['p.id', 'p.kind', 'p.slug', 'p.title', 'p.summary', 'p.published_at', 'p.corrected_at'])
      .select(sql<Date>`coalesce(p.corrected_at, p.published_at)`.as('changed_at'))
      .where('p.status', '=', 'published')
      .where('p.published_at', '<=', now)
      .orderBy(sql`coalesce(p.corrected_at, p.published_at)`, 'desc')
      .orderBy('p.id', 'desc')
      .limit(limit)
      .execute();
  }

  /** Every public publication's address and last change, for the sitemap. */
  sitemap(now: Date) {
    return this.db
      .selectFrom('publications as p')
      .select(['p.slug', sql<Date>`coalesce(p.corrected_at, p.published_at)`.as('changed_at')])
      .where('p.status', '=', 'published')
      .where('p.published_at', '<=', now)
      .orderBy('p.published_at', 'desc')
      .orderBy('p.id', 'desc')
      .execute();
  }

  latest(kinds: readonly PublicationKind[], now: Date, limit: number) {
    return this.db
      .selectFrom('publications as p')
      .select(['p.kind', 'p.slug', 'p.title', 'p.published_at'])
      .where('p.status', '=', 'published')
      .where('p.published_at', '<=', now)
      .where('p.kind', 'in', kinds)
      .orderBy('p.published_at', 'desc')
      .orderBy('p.id', 'desc')
      .limit(limit)
      .execute();
  }
}
