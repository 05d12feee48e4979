import type { Readable } from 'node:stream';
import { LRUCache } from 'lru-cache';
import { z } from 'zod';
import type { Clock } from '../../platform/clock.ts';
import { notFound } from '../../platform/errors.ts';
import type { FilesService } from '../../platform/files/files.service.ts';
import { renderMarkdown, type RenderedMarkdown } from '../../platform/markdown/markdown.ts';
import { decodeCursor, encodeCursor } from '../../platform/pagination.ts';
import { can, type Actor } from '../accounts/domain.ts';
import {
  CONTENTS_MIN_HEADINGS,
  KIND_NAMES,
  isPublicationKind,
  londonYear,
  publicationPath,
  snippetHtml,
  stateOf,
  type PublicationKind,
} from './domain.ts';
import { LibraryRepository, type LibraryKey } from './library.repository.ts';
import type { PublicationRow, PublicationsRepository } from './publications.repository.ts';

/** What the public page of a publication shows; the editor's preview is the same. */
export interface PublicationView {
  id: string;
  /** Changes whenever anything the page shows changes: its version and last change. */
  revision: string;
  kind: PublicationKind;
  kindName: string;
  slug: string;
  url: string;
  title: string;
  summary: string;
  html: string;
  contents: { id: string; text: string }[];
  councillorQuestions: string[];
  partners: string[];
  topics: { slug: string; name: string }[];
  publishedAt: Date | null;
  correctedAt: Date | null;
  corrections: { note: string; correctedAt: Date }[];
  attachments: { id: string; title: string; filename: string; contentType: string; size: number }[];
}

export type PublicPage =
  | { kind: 'page'; view: PublicationView }
  | { kind: 'moved'; slug: string }
  | { kind: 'gone'; title: string; notice: string; withdrawnAt: Date };

export interface LibraryQuery {
  q?: string | undefined;
  kind?: string | undefined;
  topic?: string | undefined;
  year?: number | undefined;
  cursor?: string | undefined;
}

export interface LibraryItem {
  id: string;
  kind: PublicationKind;
  kindName: string;
  slug: string;
  url: string;
  title: string;
  summary: string;
  publishedAt: Date;
  correctedAt: Date | null;
  snippetHtml: string | null;
}

const searchKey = z.tuple([z.union([z.literal(0), z.literal(1)]), z.iso.datetime(), z.uuid()]);
const listKey = z.tuple([z.iso.datetime(), z.uuid()]);

export const LIBRARY_PAGE_SIZE = 20;

type Attachment = { id: string; title: string; filename: string; content_type: string; size: number };
type Correction = { version: number; note: string; corrected_at: Date | string };

/**
 * The public side of publications: each publication's page (and the editor's preview, rendered the
 * same way), the library with its filters and search, the Atom feed's and the sitemap's entries.
 * Only publications whose time has come are ever found here by the public.
 */
export class PublicationLibrary {
  /** Rendered bodies by publication, version and last change: Markdown is rendered once per version. */
  private readonly rendered = new LRUCache<string, RenderedMarkdown>({ max: 2000 });
  private topicNames: { at: number; names: Map<string, string> } | null = null;
  private readonly lists: LibraryRepository;

  constructor(
    private readonly repo: PublicationsRepository,
    private readonly clock: Clock,
    private readonly files: FilesService,
  ) {
    this.lists = new LibraryRepository(repo.db);
  }

  /** Topic names, read at most once a minute. */
  async topics(): Promise<Map<string, string>> {
    const now = this.clock.now().getTime();
    if (this.topicNames && now - this.topicNames.at < 60_000) return this.topicNames.names;
    const names = new Map((await this.repo.topics()).map((t) => [t.slug, t.name]));
    this.topicNames = { at: now, names };
    return names;
  }

  /** Forgets the topic names read, after a topic is added. */
  forgetTopics(): void {
    this.topicNames = null;
  }

  /** A publication's public page by its address: the page, a move to its new address, or gone. */
  async page(slug: string): Promise<PublicPage> {
    const now = this.clock.now();
    const row = await this.repo.bySlug(slug);
    if (!row) {
      const current = await this.repo.currentSlugFor(slug);
      if (current) return { kind: 'moved', slug: current };
      throw notFound('The publication');
    }
    const state = stateOf(row, now);
    if (state === 'withdrawn')
      return {
        kind: 'gone',
        title: row.title,
        notice: row.withdrawal_notice ?? '',
        withdrawnAt: row.withdrawn_at ?? now,
      };
    if (state !== 'published') throw notFound('The publication');
    return { kind: 'page', view: await this.view(row, row.corrections, row.attachments) };
  }

  /** The page as the public will see it, for editors, whatever its state. */
  async preview(actor: Actor | null, id: string): Promise<PublicationView> {
    if (!actor || actor.authorityId !== null || !can(actor, 'publications:edit')) throw notFound('The publication');
    const row = await this.repo.findById(id);
    if (!row) throw notFound('The publication');
    const [corrections, attachments] = await Promise.all([this.repo.corrections(id), this.repo.attachments(id)]);
    return this.view(row, corrections, attachments);
  }

  /** A version a correction replaced, rendered as it was, for editors. */
  async oldVersion(actor: Actor | null, id: string, version: number) {
    if (!actor || actor.authorityId !== null || !can(actor, 'publications:edit')) throw notFound('The publication');
    const [row, old] = await Promise.all([this.repo.findById(id), this.repo.version(id, version)]);
    if (!row || !old) throw notFound('The version');
    const rendered = this.render(`${id}:v${version}`, old.body);
    const names = await this.topics();
    return {
      id,
      version,
      kindName: KIND_NAMES[row.kind as PublicationKind] ?? row.kind,
      title: old.title,
      summary: old.summary,
      html: rendered.html,
      councillorQuestions: old.councillor_questions,
      partners: old.partners,
      topics: old.topics.map((t) => ({ slug: t, name: names.get(t) ?? t })),
      publishedAt: old.published_at,
      replacedAt: old.replaced_at,
    };
  }

  private async view(
    row: PublicationRow,
    corrections: Correction[],
    attachments: Attachment[],
  ): Promise<PublicationView> {
    const rendered = this.render(`${row.id}:${row.version}:${row.updated_at.getTime()}`, row.body);
    const names = await this.topics();
    const h2 = rendered.headings.filter((h) => h.level === 2);
    return {
      id: row.id,
      revision: `${row.id}:${row.version}:${row.updated_at.getTime()}`,
      kind: row.kind as PublicationKind,
      kindName: KIND_NAMES[row.kind as PublicationKind] ?? row.kind,
      slug: row.slug,
      url: publicationPath(row.slug),
      title: row.title,
      summary: row.summary,
      html: rendered.html,
      contents: h2.length >= CONTENTS_MIN_HEADINGS ? h2.map((h) => ({ id: h.id, text: h.text })) : [],
      councillorQuestions: row.councillor_questions,
      partners: row.partners,
      topics: row.topics.map((t) => ({ slug: t, name: names.get(t) ?? t })),
      publishedAt: row.published_at,
      correctedAt: row.corrected_at,
      corrections: corrections.map((c) => ({ note: c.note, correctedAt: new Date(c.corrected_at) })),
      attachments: attachments.map((a) => ({
        id: a.id,
        title: a.title,
        filename: a.filename,
        contentType: a.content_type,
        size: a.size,
      })),
    };
  }

  private render(key: string, body: string): RenderedMarkdown {
    let rendered = this.rendered.get(key);
    if (!rendered) {
      rendered = renderMarkdown(body);
      this.rendered.set(key, rendered);
    }
    return rendered;
  }

  /**
   * One page of the library, newest first, or best match first when words are searched for (a
   * title counts for more than a summary, a summary more than the body). The query's values are
   * checked by the caller's schema; an unknown kind or topic finds nothing.
   */
  async library(query: LibraryQuery, limit = LIBRARY_PAGE_SIZE) {
    const now = this.clock.now();
    const words = query.q?.trim() ? query.q.trim() : null;
    const kind = query.kind && isPublicationKind(query.kind) ? query.kind : null;
    const years = query.year ? londonYear(query.year) : null;
    let after: LibraryKey | null = null;
    if (query.cursor) after = words ? decodeCursor(query.cursor, searchKey) : decodeCursor(query.cursor, listKey);
    const rows = await this.lists.page(
      { words, kind, topic: query.topic || null, from: years?.from ?? null, to: years?.to ?? null },
      now,
      after,
      limit + 1,
    );
    const shown = rows.slice(0, limit);
    const last = shown[shown.length - 1];
    let next: string | null = null;
    if (rows.length > limit && last) {
      const at = last.published_at.toISOString();
      next = encodeCursor(words ? [last.tier, at, last.id] : [at, last.id]);
    }
    const items: LibraryItem[] = shown.map((r) => ({
      id: r.id,
      kind: r.kind as PublicationKind,
      kindName: KIND_NAMES[r.kind as PublicationKind] ?? r.kind,
      slug: r.slug,
      url: publicationPath(r.slug),
      title: r.title,
      summary: r.summary,
      publishedAt: r.published_at,
      correctedAt: r.corrected_at,
      snippetHtml: r.snippet ? snippetHtml(r.snippet) : null,
    }));
    return { items, next, words };
  }

  feed(limit = 50) {
    return this.lists.feed(this.clock.now(), limit);
  }

  sitemap() {
    return this.lists.sitemap(this.clock.now());
  }

  latest(kinds: readonly PublicationKind[], limit: number) {
    return this.lists.latest(kinds, this.clock.now(), limit);
  }

  /** A public page whose text staff keep: its title, its text as it is written and as HTML. */
  async sitePage(key: string) {
    const page = await this.repo.sitePage(key);
    if (!page) return undefined;
    const { html } = this.render(`page:${key}:${page.updated_at.getTime()}`, page.body);
    return { title: page.title, body: page.body, html, updatedAt: page.updated_at };
  }

  /** An attachment's file: for anyone once the publication is public, for editors at any time. */
  async openAttachment(
    actor: Actor | null,
    slug: string,
    attachmentId: string,
  ): Promise<{ document: { filename: string; content_type: string; size: number }; stream: Readable }> {
    const editor = !!actor && actor.authorityId === null && can(actor, 'publications:edit');
    const document = await this.repo.attachmentDocument(slug, attachmentId, this.clock.now(), editor);
    if (!document) throw notFound('The file');
    return { document, stream: this.files.read(document) };
  }
}
