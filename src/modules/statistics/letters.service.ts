import { z } from 'zod';
import type { Clock } from '../../platform/clock.ts';
import type { DbOrTx } from '../../platform/db/database.ts';
import { conflict, forbidden, invalid, notFound } from '../../platform/errors.ts';
import { defineJob, type JobQueue } from '../../platform/jobs/queue.ts';
import { markdownToText, renderMarkdown } from '../../platform/markdown/markdown.ts';
import { auditActor, can, type Actor } from '../accounts/domain.ts';
import { LETTER_ROLE_NAMES, similarFrom, statisticsYear, yearLabel, ZERO_COUNTS } from './domain.ts';
import { letterPdf } from './letter-pdf.ts';
import { DEFAULT_TEMPLATE, fillTemplate, letterBlocks, unknownPlaceholders } from './letter-template.ts';
import { LettersRepository, type LetterRow, type RunRow } from './letters.repository.ts';
import { StatisticsRepository } from './statistics.repository.ts';
import { kindName } from './statistics.views.ts';
import type { Outbox } from '../../platform/mail/outbox.ts';

const BATCH = 25;
/** Letters made per transaction: a batch's figures and decisions are read together. */
const GENERATE_BATCH = 100;
const MAX_TEMPLATE = 50_000;

/**
 * Annual review letters: the year's template, a letter per authority made from it by a job, each
 * letter reviewed and edited, then sent by a job as a PDF to the chief executive, copied to the link
 * officers, the monitoring officer, the leader and the chair of scrutiny, one outbox message each.
 */
export class AnnualReviewService {
  private readonly repo: LettersRepository;
  private readonly stats: StatisticsRepository;

  readonly generateJob = defineJob({
    name: 'annual-review.generate',
    schema: z.object({ runId: z.uuid() }),
    handler: async ({ runId }) => this.runGeneration(runId),
    retryLimit: 10,
    retryDelaySeconds: 10,
    expireInSeconds: 3600,
  });

  readonly sendJob = defineJob({
    name: 'annual-review.send',
    schema: z.object({ runId: z.uuid() }),
    handler: async ({ runId }) => this.runSending(runId),
    retryLimit: 10,
    retryDelaySeconds: 10,
    expireInSeconds: 3600,
  });

  constructor(
    db: DbOrTx,
    private readonly clock: Clock,
    private readonly jobs: JobQueue,
    mail: Outbox,
    private readonly settings: { baseUrl: string },
  ) {
    this.repo = new LettersRepository(db, mail);
    this.stats = new StatisticsRepository(db);
  }

  private needs(actor: Actor): void {
    if (!can(actor, 'statistics:manage')) throw forbidden();
  }

  private async yearWithFigures(year: number): Promise<void> {
    const years = await this.stats.years();
    if (!years.some((y) => y.year === year)) throw notFound(`The figures for ${yearLabel(year)}`);
  }

  /** The year's template: as saved, or the standard one. */
  async template(actor: Actor, year: number): Promise<string> {
    this.needs(actor);
    return (await this.repo.template(year)) ?? DEFAULT_TEMPLATE;
  }

  private checkTemplate(body: string): void {
    if (body.trim() === '') throw invalid([{ field: 'template', message: 'Enter the letter’s template' }]);
    if (body.length > MAX_TEMPLATE)
      throw invalid([
        {
          field: 'template',
          message: `The template must be ${MAX_TEMPLATE.toLocaleString('en-GB')} characters or fewer`,
        },
      ]);
    const unknown = unknownPlaceholders(body);
    if (unknown.length > 0)
      throw invalid(
        [
          {
            field: 'template',
            message: `The template uses ${unknown.length === 1 ? 'a placeholder' : 'placeholders'} Liaison does not know: ${unknown.map((u) => `{{${u}}}`).join(', ')}. Nothing was generated.`,
          },
        ],
        'The template has an unknown placeholder',
      );
  }

  /**
   * Saves the template and starts making the year's letters (for every authority with figures, or
   * those chosen) as a job. An unknown placeholder is named and nothing is saved or generated.
   */
  async startGeneration(actor: Actor, year: number, template: string, authorityIds: string[] | null): Promise<string> {
    this.needs(actor);
    this.checkTemplate(template);
    await this.yearWithFigures(year);
    const total = await this.repo.countAuthoritiesForLetters(year, authorityIds);
    if (total === 0)
      throw invalid([
        { field: 'authorities', message: `None of those authorities has figures for ${yearLabel(year)}` },
      ]);
    const now = this.clock.now();
    return this.repo.transaction(async (repo) => {
      await repo.saveTemplate(year, template, actor.type === 'user' ? actor.id : null, now);
      const runId = await repo.insertRun({
        year,
        kind: 'generate',
        authority_ids: authorityIds,
        total,
        resend: false,
        created_by: actor.type === 'user' ? actor.id : null,
        created_at: now,
      });
      await this.jobs.enqueue(repo.handle(), this.generateJob, { runId });
      await repo.audit({
        actor: auditActor(actor),
        action: 'annual-review.generation-started',
        recordType: 'annual-review-run',
        recordId: runId,
        requestId: actor.requestId ?? null,
      });
      return runId;
    });
  }

  /** The generation job: makes each letter, in batches, from where a run that stopped left off. */
  async runGeneration(runId: string): Promise<void> {
    const run = await this.repo.run(runId);
    if (!run || run.kind !== 'generate' || run.finished_at !== null) return;
    const template = (await this.repo.template(run.year)) ?? DEFAULT_TEMPLATE;
    const y = statisticsYear(run.year);
    const kinds = new Map((await this.stats.kindTotalsOfYear(run.year)).map((k) => [k.kind, k]));
    let done = run.done;
    for (;;) {
      const batch = await this.repo.authoritiesForLetters(run.year, run.authority_ids, done, GENERATE_BATCH);
      if (batch.length === 0) break;
      const ids = batch.map((a) => a.id);
      // A batch's figures, chief executives and decisions in three reads, not four per letter.
      const [counts, chiefExecutives, decisions] = await Promise.all([
        this.stats.countsInYear(ids, run.year),
        this.repo.chiefExecutivesOf(ids),
        this.repo.upheldDecisionsOf(ids, y.from, y.to),
      ]);
      const now = this.clock.now();
      const bodies = batch.map((a) => ({
        authorityId: a.id,
        body: fillTemplate(template, {
          authority: a.name,
          chiefExecutive: chiefExecutives.get(a.id) ?? 'Chief Executive',
          year: run.year,
          counts: counts.get(a.id) ?? ZERO_COUNTS,
          similar: similarFrom(
            kinds.get(a.kind) ?? {
              kind: a.kind,
              authorities: 0,
              investigated: 0,
              upheld: 0,
              satisfactoryRemedy: 0,
              remediesDue: 0,
              remediesComplied: 0,
            },
          ),
          similarKindName: kindName(a.kind),
          decisions: decisions.get(a.id) ?? [],
          performanceUrl: `${this.settings.baseUrl}/authorities/${a.slug ?? a.id}/performance?year=${run.year}`,
        }),
      }));
      await this.repo.transaction(async (repo) => {
        await repo.upsertLetters(run.year, bodies, now);
        done += batch.length;
        await repo.advanceRun(runId, done, null, null);
      });
    }
    await this.repo.advanceRun(runId, done, null, this.clock.now());
  }

  /**
   * Starts sending the year's letters (or those of the chosen authorities) as a job. If any were
   * sent already, refused unless the relationship lead confirms sending them again.
   */
  async startSending(
    actor: Actor,
    year: number,
    options: { confirmResend: boolean; authorityIds: string[] | null },
  ): Promise<string> {
    this.needs(actor);
    const total = await this.repo.countLetters(year, options.authorityIds);
    if (total === 0) throw conflict(`There are no letters for ${yearLabel(year)} to send: generate them first`);
    const sent = await this.repo.countSent(year);
    if (sent.sent > 0 && !options.confirmResend)
      throw conflict(
        `${sent.sent === 1 ? 'A letter' : `${sent.sent} letters`} for ${yearLabel(year)} ${sent.sent === 1 ? 'was' : 'were'} sent already. Nothing was sent: to send them again, confirm that you mean to.`,
        [{ field: 'confirmResend', message: 'Confirm that the letters should be sent again' }],
      );
    const now = this.clock.now();
    return this.repo.transaction(async (repo) => {
      const runId = await repo.insertRun({
        year,
        kind: 'send',
        authority_ids: options.authorityIds,
        total,
        resend: options.confirmResend,
        created_by: actor.type === 'user' ? actor.id : null,
        created_at: now,
      });
      await this.jobs.enqueue(repo.handle(), this.sendJob, { runId });
      await repo.audit({
        actor: auditActor(actor),
        action: options.confirmResend ? 'annual-review.resend-started' : 'annual-review.sending-started',
        recordType: 'annual-review-run',
        recordId: runId,
        requestId: actor.requestId ?? null,
      });
      return runId;
    });
  }

  /**
   * The sending job. Each letter is sent in its own transaction: locked, skipped if this run (or,
   * without a confirmed resend, any run) sent it already, else its PDF made and one outbox message
   * written per recipient under a key of the letter, the sending and the address; so a run that
   * stops half way and starts again never sends a letter twice. An authority without a chief
   * executive is listed and skipped; the rest go.
   */
  async runSending(runId: string): Promise<void> {
    const run = await this.repo.run(runId);
    if (!run || run.kind !== 'send' || run.finished_at !== null) return;
    let done = run.done;
    const skipped = [...run.skipped];
    for (;;) {
      const ids = await this.repo.letterIdsToSend(run.year, run.authority_ids, done, BATCH);
      if (ids.length === 0) break;
      for (const id of ids) {
        await this.repo.transaction(async (repo) => {
          const letter = await repo.lockLetter(id);
          if (letter && letter.last_send_run_id !== runId && (run.resend || letter.sends === 0)) {
            const problem = await this.sendLetter(repo, letter, run);
            if (problem)
              skipped.push({ authorityId: letter.authority_id, name: letter.authority_name, reason: problem });
          }
          done += 1;
          await repo.advanceRun(runId, done, skipped, null);
        });
      }
    }
    await this.repo.advanceRun(runId, done, skipped, this.clock.now());
  }

  private async sendLetter(repo: LettersRepository, letter: LetterRow, run: RunRow): Promise<string | null> {
    const recipients = await repo.recipientsOf(letter.authority_id);
    const chief = recipients.find((r) => r.role === 'chief-executive');
    if (!chief) return 'The directory has no chief executive for this authority';
    const copies = recipients.filter((r) => r !== chief);
    const now = this.clock.now();
    const sendNumber = letter.sends + 1;
    const title = `Annual review letter ${yearLabel(letter.year)}: ${letter.authority_name}`;
    const pdf = await this.pdfOf(letter, now);
    const filename = `annual-review-${letter.year}.pdf`;
    const copiedTo = copies.map((c) => `${c.name} (${LETTER_ROLE_NAMES[c.role]})`).join(', ');
    for (const r of [chief, ...copies]) {
      const isCopy = r !== chief;
      const messageId = await repo.enqueueMail({
        kind: 'annual-review-letter',
        to: r.email,
        subject: title,
        text: [
          `Dear ${r.name},`,
          '',
          isCopy
            ? `We attach a copy of our annual review letter for ${yearLabel(letter.year)} to ${chief.name}, chief executive of ${letter.authority_name}.`
            : `We attach our annual review letter for ${yearLabel(letter.year)} about ${letter.authority_name}.`,
          '',
          `Sent to: ${chief.name} (Chief executive)`,
          copiedTo ? `Copied to: ${copiedTo}` : 'Copied to: no one',
          '',
          'The Ombudsman',
        ].join('\n'),
        idempotencyKey: `annual-review:${letter.id}:${sendNumber}:${r.email.toLowerCase()}`,
        attachments: [{ filename, contentType: 'application/pdf', content: pdf }],
      });
      await repo.insertRecipient({
        letter_id: letter.id,
        authority_id: letter.authority_id,
        send_number: sendNumber,
        role: r.role,
        copy: isCopy,
        name: r.name,
        email: r.email,
        outbox_message_id: messageId,
        created_at: now,
      });
    }
    await repo.markSent(letter.id, sendNumber, run.id, now);
    await repo.audit({
      actor: { type: 'system', id: null, role: null },
      action: 'annual-review.letter-sent',
      recordType: 'annual-review-letter',
      recordId: letter.id,
      authorityId: letter.authority_id,
    });
    return null;
  }

  private pdfOf(letter: LetterRow, at: Date): Promise<Buffer> {
    return letterPdf(
      `Annual review letter ${yearLabel(letter.year)}: ${letter.authority_name}`,
      letterBlocks(letter.body, (s) => markdownToText(s).replace(/\s+/g, ' ').trim()),
      at,
    );
  }

  async runs(actor: Actor, year: number): Promise<RunRow[]> {
    this.needs(actor);
    return this.repo.runs(year);
  }

  async run(actor: Actor, id: string): Promise<RunRow> {
    this.needs(actor);
    const run = await this.repo.run(id);
    if (!run) throw notFound('The run');
    return run;
  }

  async letters(actor: Actor, year: number): Promise<LetterRow[]> {
    this.needs(actor);
    return this.repo.letters(year);
  }

  async letter(actor: Actor, id: string) {
    this.needs(actor);
    const letter = await this.repo.letter(id);
    if (!letter) throw notFound('The letter');
    return {
      letter,
      html: renderMarkdown(letter.body).html,
      recipients: await this.repo.recipientsOf(letter.authority_id),
      sent: await this.repo.recipientsSent(letter.id),
    };
  }

  async editLetter(actor: Actor, id: string, body: string): Promise<void> {
    this.needs(actor);
    if (body.trim() === '') throw invalid([{ field: 'body', message: 'Enter the letter' }]);
    if (body.length > MAX_TEMPLATE) throw invalid([{ field: 'body', message: 'The letter is too long' }]);
    const unknown = unknownPlaceholders(body);
    if (unknown.length > 0)
      throw invalid([
        { field: 'body', message: `The letter still has a placeholder: ${unknown.map((u) => `{{${u}}}`).join(', ')}` },
      ]);
    await this.repo.transaction(async (repo) => {
      const letter = await repo.lockLetter(id);
      if (!letter) throw notFound('The letter');
      await repo.updateBody(id, body, actor.type === 'user' ? actor.id : null, this.clock.now());
      await repo.audit({
        actor: auditActor(actor),
        action: 'annual-review.letter-edited',
        recordType: 'annual-review-letter',
        recordId: id,
        authorityId: letter.authority_id,
        requestId: actor.requestId ?? null,
      });
    });
  }

  async letterPdf(actor: Actor, id: string): Promise<{ filename: string; pdf: Buffer }> {
    this.needs(actor);
    const letter = await this.repo.letter(id);
    if (!letter) throw notFound('The letter');
    return { filename: `annual-review-${letter.year}.pdf`, pdf: await this.pdfOf(letter, this.clock.now()) };
  }

  /** A sent letter on the authority's performance page, once the year is published (or for staff and the authority). */
  async publishedLetter(authorityId: string, year: number): Promise<LetterRow | null> {
    const letter = await this.repo.letterOf(authorityId, year);
    return letter && letter.sends > 0 ? letter : null;
  }

  async publishedLetterPdf(authorityId: string, year: number): Promise<{ filename: string; pdf: Buffer }> {
    const letter = await this.publishedLetter(authorityId, year);
    if (!letter) throw notFound('The letter');
    return {
      filename: `annual-review-${letter.year}.pdf`,
      pdf: await this.pdfOf(letter, letter.sent_at ?? this.clock.now()),
    };
  }
}
