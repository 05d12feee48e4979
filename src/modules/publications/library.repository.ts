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
   * One page of the library, in one statement. Without words, newest first. With words, those whose
   * title matches come first, then those that match in their summary or text; each group newest
   * first. Neither group is ranked row by row: each is read in the date index's order (or from the
   * word indexes when few match) and stops at a page, so a word that most publications contain reads
   * a page of rows, not all of them. Planned for its values; the snippets are cut for the page's rows.
   */
  async page(filters: LibraryFilters, now: Date, after: LibraryKey | null, limit: number): Promise<LibraryRow[]> {
    const words = filters.words;
    const query = sql`publication_search_query(${words ?? ''})`;
    const newest = (tier: 0 | 1, from: readonly [string, string] | null) => {
      let group = this.published(filters, now).select([
        'p.id',
        'p.published_at',
        sql<number>`${sql.lit(tier)}`.as('tier'),
      ]);
      if (words && tier === 1) {
        group = group.where(sql<SqlBool>`p.title_search @@ ${query}`);
        // A word left out must be missing from the whole publication, not only from its title.
        if (NEGATION.test(words)) group = group.where(sql<SqlBool>`p.search @@ ${query}`);
      }
      if (words && tier === 0)
        group = group.where(sql<SqlBool>`p.search @@ ${query}`).where(sql<SqlBool>`NOT (p.title_search @@ ${query})`);
      if (from)
        group = group.where(
          afterKeyset([sql`p.published_at`, sql`p.id`], [sql`${from[0]}::timestamptz`, sql`${from[1]}::uuid`], 'desc'),
        );
      return group.orderBy('p.published_at', 'desc').orderBy('p.id', 'desc').limit(limit);
    };
    const groups = !words
      ? [newest(0, after?.length === 2 ? [after[0], after[1]] : null)]
      : after?.length === 3 && after[0] === 0
        ? [newest(0, [after[1], after[2]])]
        : [newest(1, after?.length === 3 ? [after[1], after[2]] : null), newest(0, null)];
    const snippet = words
      ? sql<string | null>`ts_headline(
          'english', left(p.body_text, ${SNIPPET_SOURCE_CHARACTERS}), ${query}, ${HEADLINE_OPTIONS}
        )`
      : sql<string | null>`NULL::text`;
    const found = sql<{ id: string; published_at: Date; tier: number }>`(${sql.join(groups, sql` UNION ALL `)})`;
    return this.db
      .selectFrom(found.as('f'))
      .innerJoin('publications as p', 'p.id', 'f.id')
      .select(['p.id', 'p.kind', 'p.slug', 'p.title', 'p.summary', 'p.corrected_at', 'f.published_at', 'f.tier'])
      .select(snippet.as('snippet'))
      .orderBy('f.tier', 'desc')
      .orderBy('f.published_at', 'desc')
      .orderBy('f.id', 'desc')
      .limit(limit)
      .modifyEnd(planEachRun)
      .execute();
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
