import type { Kysely } from 'kysely';
import { writeAudit } from '../../platform/audit/audit.ts';
import type { Clock } from '../../platform/clock.ts';
import type { Tx } from '../../platform/db/database.ts';
import type { Database } from '../../platform/db/schema.ts';
import { conflict, invalid, notFound, type FieldError } from '../../platform/errors.ts';
import type { FilesService } from '../../platform/files/files.service.ts';
import { sniffType } from '../../platform/files/sniff.ts';
import { markdownToText } from '../../platform/markdown/markdown.ts';
import { auditActor, can, type Actor } from '../accounts/domain.ts';
import {
  publicationPath,
  slugOf,
  stateOf,
  withoutMatchMarks,
  type PublicationKind,
  type PublicationState,
} from './domain.ts';
import { checkAddressFree, nextAddress, whenAddressTaken } from './publications.addresses.ts';
import { PublicationLibrary } from './publications.library.ts';
import { PublicationsRepository, type PublicationRow } from './publications.repository.ts';

/** What an editor writes: the same from the form and the API. */
export interface PublicationInput {
  kind: PublicationKind;
  title: string;
  summary: string;
  body: string;
  topics: readonly string[];
  councillorQuestions: readonly string[];
  partners: readonly string[];
}

export interface PublicationsSettings {
  baseUrl: string;
}

/** Files a publication may carry: PDF and Word, judged by their content. */
const ATTACHMENT_TYPES = new Set([
  'application/pdf',
  'application/msword',
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
]);

const PAGE_SIZE = 50;

/**
 * The editorial side of publications, for the relationship lead and casework managers: drafts,
 * publishing now or at a time, corrections that keep the version they replace, withdrawal, files,
 * and the public pages whose text they keep. Everyone else is told the publication does not exist.
 */
export class PublicationsService {
  readonly repo: PublicationsRepository;
  /** The public side: pages, previews, the library, the feed and the sitemap. */
  readonly library: PublicationLibrary;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly clock: Clock,
    private readonly files: FilesService,
    readonly settings: PublicationsSettings,
  ) {
    this.repo = new PublicationsRepository(db);
    this.library = new PublicationLibrary(this.repo, clock, files);
  }

  private editor(actor: Actor | null): Actor {
    if (!actor || actor.authorityId !== null || !can(actor, 'publications:edit')) throw notFound('The publication');
    return actor;
  }

  topics(): Promise<{ slug: string; name: string; service_area: boolean }[]> {
    return this.repo.topics();
  }

  url(slug: string): string {
    return `${this.settings.baseUrl.replace(/\/$/, '')}${publicationPath(slug)}`;
  }

  /** Writes a new draft. Its address comes from its title and must be its own. */
  async createDraft(actorOrNull: Actor | null, input: PublicationInput, newTopic?: string) {
    const actor = this.editor(actorOrNull);
    const now = this.clock.now();
    return this.db
      .transaction()
      .execute(async (trx) => {
        const topics = await this.checkedTopics(trx, input, newTopic);
        const slug = slugOf(input.title);
        await checkAddressFree(this.repo, trx, slug, null);
        const created = await this.repo.insert(trx, {
          ...this.columns(input, topics),
          slug,
          status: 'draft',
          created_at: now,
          updated_at: now,
        });
        await this.audit(trx, actor, 'publication.created', created.id);
        return { id: created.id, slug: created.slug, status: 'draft' as const };
      })
      .catch(whenAddressTaken(input.title))
      .finally(() => this.topicMayHaveChanged(newTopic));
  }

  /**
   * Changes a draft or a scheduled publication. A publication the public can already read is
   * changed only by `correct`, which says what changed.
   */
  async update(actorOrNull: Actor | null, id: string, input: PublicationInput, newTopic?: string): Promise<void> {
    const actor = this.editor(actorOrNull);
    const now = this.clock.now();
    await this.db
      .transaction()
      .execute(async (trx) => {
        const row = await this.locked(trx, id);
        const state = stateOf(row, now);
        if (state === 'published') throw conflict('It is published: correct it instead, saying what changed');
        if (state === 'withdrawn') throw conflict('A withdrawn publication cannot be changed');
        const topics = await this.checkedTopics(trx, input, newTopic);
        const slug = await nextAddress(this.repo, trx, row, input.title, now);
        await this.repo.update(trx, id, { ...this.columns(input, topics), slug, updated_at: now });
        await this.audit(trx, actor, 'publication.updated', id);
      })
      .catch(whenAddressTaken(input.title))
      .finally(() => this.topicMayHaveChanged(newTopic));
  }

  /**
   * Corrects a published publication: the version the public read is kept (staff can open it) and
   * the note, dated, is shown on the page and marks it changed in the feed.
   */
  async correct(actorOrNull: Actor | null, id: string, input: PublicationInput, note: string, newTopic?: string) {
    const actor = this.editor(actorOrNull);
    const now = this.clock.now();
    const trimmed = note.trim();
    if (trimmed === '') throw invalid([{ field: 'note', message: 'Say what was corrected, for the note on the page' }]);
    if (trimmed.length > 2000)
      throw invalid([{ field: 'note', message: 'The note must be 2,000 characters or fewer' }]);
    await this.db
      .transaction()
      .execute(async (trx) => {
        const row = await this.locked(trx, id);
        if (stateOf(row, now) !== 'published') throw conflict('Only a publication the public can read is corrected');
        const topics = await this.checkedTopics(trx, input, newTopic);
        const slug = await nextAddress(this.repo, trx, row, input.title, now);
        await this.repo.keepVersion(trx, row, now);
        const version = row.version + 1;
        await this.repo.update(trx, id, {
          ...this.columns(input, topics),
          slug,
          version,
          corrected_at: now,
          updated_at: now,
        });
        await this.repo.addCorrection(trx, id, version, trimmed, now);
        await this.audit(trx, actor, 'publication.corrected', id);
      })
      .catch(whenAddressTaken(input.title))
      .finally(() => this.topicMayHaveChanged(newTopic));
  }

  /**
   * Publishes a draft now, or at `publishAt` (which must be to come). A scheduled publication may be
   * published now or moved to another time the same way.
   */
  async publish(actorOrNull: Actor | null, id: string, publishAt: Date | null) {
    const actor = this.editor(actorOrNull);
    const now = this.clock.now();
    if (publishAt && publishAt.getTime() <= now.getTime())
      throw invalid([{ field: 'publishAt', message: 'The time to publish must be in the future' }]);
    return this.db.transaction().execute(async (trx) => {
      const row = await this.locked(trx, id);
      const state = stateOf(row, now);
      if (state === 'published') throw conflict('It is already published');
      if (state === 'withdrawn') throw conflict('A withdrawn publication cannot be published again');
      await this.repo.update(trx, id, { status: 'published', published_at: publishAt ?? now, updated_at: now });
      await this.audit(trx, actor, publishAt ? 'publication.scheduled' : 'publication.published', id);
      return { status: publishAt ? ('scheduled' as const) : ('published' as const), url: this.url(row.slug) };
    });
  }

  /** Takes a scheduled publication back to a draft. */
  async unschedule(actorOrNull: Actor | null, id: string): Promise<void> {
    const actor = this.editor(actorOrNull);
    const now = this.clock.now();
    await this.db.transaction().execute(async (trx) => {
      const row = await this.locked(trx, id);
      if (stateOf(row, now) !== 'scheduled') throw conflict('Only a scheduled publication can go back to draft');
      await this.repo.update(trx, id, { status: 'draft', published_at: null, updated_at: now });
      await this.audit(trx, actor, 'publication.unscheduled', id);
    });
  }

  /** Withdraws a published publication: its address then answers that it is gone, with the notice. */
  async withdraw(actorOrNull: Actor | null, id: string, notice: string): Promise<void> {
    const actor = this.editor(actorOrNull);
    const now = this.clock.now();
    const trimmed = notice.trim();
    if (trimmed === '')
      throw invalid([{ field: 'notice', message: 'Enter a short notice saying why it was withdrawn' }]);
    if (trimmed.length > 1000)
      throw invalid([{ field: 'notice', message: 'The notice must be 1,000 characters or fewer' }]);
    await this.db.transaction().execute(async (trx) => {
      const row = await this.locked(trx, id);
      if (stateOf(row, now) !== 'published') throw conflict('Only a published publication can be withdrawn');
      await this.repo.update(trx, id, {
        status: 'withdrawn',
        withdrawn_at: now,
        withdrawal_notice: trimmed,
        updated_at: now,
      });
      await this.audit(trx, actor, 'publication.withdrawn', id);
    });
  }

  /** Adds a PDF or Word file, checked by its content, under the documents' size limit. */
  async addAttachment(
    actorOrNull: Actor | null,
    id: string,
    file: { content: Buffer; filename: string; title: string },
  ): Promise<void> {
    const actor = this.editor(actorOrNull);
    const now = this.clock.now();
    const title = file.title.trim();
    const problems: FieldError[] = [];
    if (title === '') problems.push({ field: 'title', message: 'Enter a title for the file' });
    else if (title.length > 200)
      problems.push({ field: 'title', message: 'The title must be 200 characters or fewer' });
    if (file.content.length > this.files.settings.maxBytes) throw this.files.tooLarge('file');
    const type = file.content.length > 0 ? sniffType(file.content) : null;
    if (file.content.length === 0) problems.push({ field: 'file', message: 'The selected file is empty' });
    else if (!type || !ATTACHMENT_TYPES.has(type.contentType))
      problems.push({ field: 'file', message: 'The selected file must be a PDF or a Word document' });
    if (problems.length > 0) throw invalid(problems);
    await this.db.transaction().execute(async (trx) => {
      const row = await this.locked(trx, id);
      if (row.status === 'withdrawn') throw conflict('A withdrawn publication cannot be changed');
      const document = await this.files.store(trx, file.content, {
        filename: file.filename,
        complaintId: null,
        authorityId: null,
        uploadedBy: actor,
        description: title,
        field: 'file',
      });
      await this.repo.addAttachment(trx, id, document.id, title, now);
      await this.repo.update(trx, id, { updated_at: now });
      await this.audit(trx, actor, 'publication.attachment-added', id);
    });
  }

  async removeAttachment(actorOrNull: Actor | null, id: string, attachmentId: string): Promise<void> {
    const actor = this.editor(actorOrNull);
    const now = this.clock.now();
    const storageKey = await this.db.transaction().execute(async (trx) => {
      const row = await this.locked(trx, id);
      if (row.status === 'withdrawn') throw conflict('A withdrawn publication cannot be changed');
      const key = await this.repo.removeAttachment(trx, id, attachmentId);
      if (key === undefined) throw notFound('The file');
      await this.repo.update(trx, id, { updated_at: now });
      await this.audit(trx, actor, 'publication.attachment-removed', id);
      return key;
    });
    await this.files.discard([storageKey]);
  }

  /** Everything the editor's page shows about one publication. */
  async forEditor(actorOrNull: Actor | null, id: string) {
    this.editor(actorOrNull);
    const row = await this.repo.findById(id);
    if (!row) throw notFound('The publication');
    const [attachments, corrections, versions] = await Promise.all([
      this.repo.attachments(id),
      this.repo.corrections(id),
      this.repo.versions(id),
    ]);
    const state: PublicationState = stateOf(row, this.clock.now());
    return { row, state, attachments, corrections, versions, url: publicationPath(row.slug) };
  }

  /** Publications for the editor's list, the most recently changed first. */
  async editorList(actorOrNull: Actor | null, after: [string, string] | null) {
    this.editor(actorOrNull);
    const now = this.clock.now();
    const rows = await this.repo.editorList(after, PAGE_SIZE + 1);
    const items = rows.slice(0, PAGE_SIZE).map((r) => Object.assign({ state: stateOf(r, now) }, r));
    const last = items[items.length - 1];
    const next: [string, string] | null =
      rows.length > PAGE_SIZE && last ? [last.updated_at.toISOString(), last.id] : null;
    return { items, next };
  }

  /** Saves the text of a public page the relationship lead keeps (Markdown, as publications). */
  async saveSitePage(actorOrNull: Actor | null, key: string, input: { title: string; body: string }): Promise<void> {
    const actor = this.editor(actorOrNull);
    const problems: FieldError[] = [];
    const title = input.title.trim();
    if (title === '') problems.push({ field: 'title', message: 'Enter the page’s title' });
    else if (title.length > 200)
      problems.push({ field: 'title', message: 'The title must be 200 characters or fewer' });
    if (input.body.trim() === '') problems.push({ field: 'body', message: 'Enter the page’s text' });
    if (problems.length > 0) throw invalid(problems);
    await this.db.transaction().execute(async (trx) => {
      await this.repo.saveSitePage(trx, key, title, input.body, this.clock.now());
      await writeAudit(trx, {
        actor: auditActor(actor),
        action: 'site-page.updated',
        recordType: 'site-page',
        recordId: null,
        requestId: actor.requestId ?? null,
      });
    });
  }

  private topicMayHaveChanged(newTopic: string | undefined): void {
    if (newTopic?.trim()) this.library.forgetTopics();
  }

  private columns(input: PublicationInput, topics: string[]) {
    return {
      kind: input.kind,
      title: input.title.trim(),
      summary: input.summary.trim(),
      body: input.body,
      body_text: withoutMatchMarks(markdownToText(input.body)),
      topics,
      councillor_questions: input.councillorQuestions.map((q) => q.trim()).filter((q) => q !== ''),
      partners: input.kind === 'joint-report' ? input.partners.map((p) => p.trim()).filter((p) => p !== '') : [],
    };
  }

  private async locked(trx: Tx, id: string): Promise<PublicationRow> {
    const row = await this.repo.lock(trx, id);
    if (!row) throw notFound('The publication');
    return row;
  }

  /** The topics chosen, each one known; a new topic an editor typed is added to the list. */
  private async checkedTopics(trx: Tx, input: PublicationInput, newTopic?: string): Promise<string[]> {
    const problems: FieldError[] = [];
    if (input.kind === 'joint-report' && input.partners.every((p) => p.trim() === ''))
      problems.push({ field: 'partners', message: 'Name the partner organisations of the joint report' });
    if (slugOf(input.title) === '')
      problems.push({ field: 'title', message: 'Enter a title with letters or numbers in it' });
    const known = new Map((await this.repo.topics(trx)).map((t) => [t.slug, t.name]));
    const unknown = input.topics.filter((t) => !known.has(t));
    if (unknown.length > 0)
      problems.push({
        field: 'topics',
        message: `Choose topics from the list: ${unknown.slice(0, 3).join(', ')} ${unknown.length === 1 ? 'is' : 'are'} not one`,
      });
    const chosen = [...new Set(input.topics)];
    const typed = newTopic?.trim() ?? '';
    if (typed !== '') {
      const slug = slugOf(typed);
      if (slug === '' || typed.length > 80 || slug.length > 80)
        problems.push({ field: 'newTopic', message: 'Enter a new topic of up to 80 characters, with letters in it' });
      else {
        const sameName = [...known].find(([, name]) => name.toLowerCase() === typed.toLowerCase());
        if (sameName) chosen.push(sameName[0]);
        else if (!known.has(slug)) await this.repo.addTopic(trx, slug, typed);
        if (!sameName) chosen.push(slug);
      }
    }
    if (problems.length > 0) throw invalid(problems);
    return [...new Set(chosen)];
  }

  private audit(trx: Tx, actor: Actor, action: string, id: string) {
    return writeAudit(trx, {
      actor: auditActor(actor),
      action,
      recordType: 'publication',
      recordId: id,
      requestId: actor.requestId ?? null,
    });
  }
}
