import { londonDate } from '../../platform/calendar/calendar.ts';
import { conflict, invalid, notFound } from '../../platform/errors.ts';
import { renderMarkdown } from '../../platform/markdown/markdown.ts';
import type { Actor } from '../accounts/domain.ts';
import { appendMarkdown, progressOf, slugFor, TOPICS, unsubscribeToken } from './domain.ts';
import {
  assertManage,
  auditIssue,
  type CountsRead,
  type Insertion,
  type IssueInput,
  type IssueView,
  type NewsletterContext,
} from './context.ts';
import { issueHtml, issueMailer, issueText } from './newsletter.mail.ts';

// Issues: composing them (with insertions from publications and training), the progress page, a
// preview and a test, the public archive and the report.

function validate(input: IssueInput): IssueInput {
  const subject = input.subject.trim();
  const body = input.body.trim();
  const errors = [];
  if (subject === '') errors.push({ field: 'subject', message: 'Enter a subject' });
  else if (subject.length > 150)
    errors.push({ field: 'subject', message: 'The subject must be 150 characters or fewer' });
  if (input.preheader.length > 200)
    errors.push({ field: 'preheader', message: 'The preview text must be 200 characters or fewer' });
  if (body === '') errors.push({ field: 'body', message: 'Enter the newsletter’s content' });
  else if (body.length > 100_000)
    errors.push({ field: 'body', message: 'The content must be 100,000 characters or fewer' });
  if (errors.length > 0) throw invalid(errors);
  return {
    subject,
    preheader: input.preheader.trim(),
    body,
    topics: input.topics.filter((t) => (TOPICS as readonly string[]).includes(t)),
  };
}

export async function createIssue(ctx: NewsletterContext, actor: Actor | null, input: IssueInput): Promise<string> {
  assertManage(actor);
  const values = validate(input);
  const now = ctx.clock.now();
  return ctx.db.transaction().execute(async (trx) => {
    const repo = ctx.issues.with(trx);
    const base = slugFor(values.subject, londonDate(now));
    let slug = base;
    for (let n = 2; await repo.slugTaken(slug); n++) slug = `${base}-${n}`;
    const { id } = await repo.insertIssue({
      ...values,
      slug,
      createdBy: actor.type === 'user' ? actor.id : null,
      now,
    });
    await auditIssue(trx, actor, 'newsletter-issue.created', id);
    return id;
  });
}

export async function updateIssue(
  ctx: NewsletterContext,
  actor: Actor | null,
  id: string,
  input: IssueInput,
): Promise<void> {
  assertManage(actor);
  const values = validate(input);
  await ctx.db.transaction().execute(async (trx) => {
    const repo = ctx.issues.with(trx);
    const issue = await repo.lockIssue(id);
    if (!issue) throw notFound('The issue');
    if (issue.status !== 'draft' && issue.status !== 'scheduled')
      throw conflict('This issue has been sent, so it can no longer be changed');
    await repo.updateIssue(id, { ...values, updated_at: ctx.clock.now() });
    await auditIssue(trx, actor, 'newsletter-issue.updated', id);
  });
}

export async function issues(ctx: NewsletterContext, actor: Actor | null) {
  assertManage(actor);
  return ctx.issues.issues(100);
}

export async function issue(ctx: NewsletterContext, actor: Actor | null, id: string): Promise<IssueView> {
  assertManage(actor);
  const row = await ctx.issues.issue(id);
  if (!row) throw notFound('The issue');
  // While it is being sent, an issue is counted on its deliveries (settled by the worker every
  // second or so); once sent, on the outbox's ledger, with the bounces reported since. The counts
  // are read at most once per `progressCacheMs` for each state of the issue (a pause or the end of
  // the send is shown at once), and the pace is worked out at the time they were read.
  const { counts, at } =
    row.status === 'draft' || row.status === 'scheduled'
      ? { counts: { recipients: 0, sent: 0, failed: 0, bounced: 0 }, at: ctx.clock.now() }
      : await ctx.counted.get<CountsRead>(`${id}:${row.status}:${row.recipients}`, async () => ({
          counts: row.status === 'sent' ? await ctx.issues.counts(id) : await ctx.issues.liveCounts(id, row.recipients),
          at: ctx.clock.now(),
        }));
  return {
    id: row.id,
    slug: row.slug,
    subject: row.subject,
    preheader: row.preheader,
    body: row.body,
    topics: row.topics,
    status: row.status,
    scheduledFor: row.scheduled_for,
    sentAt: row.sent_at,
    progress: progressOf(counts, row.send_started_at, row.sent_at ?? at),
  };
}

/** The HTML and plain-text parts as a recipient will see them (with a placeholder token). */
export async function preview(
  ctx: NewsletterContext,
  actor: Actor | null,
  id: string,
): Promise<{ html: string; text: string; subject: string }> {
  const shown = await issue(ctx, actor, id);
  const message = issueMailer(shown, ctx.settings)('you@example.com', 'preview', 'preview');
  return { html: message.html ?? '', text: message.text, subject: shown.subject };
}

/** Sends the issue as it stands to the person asking, marked as a test. */
export async function testSend(ctx: NewsletterContext, actor: Actor | null, id: string): Promise<string> {
  assertManage(actor);
  if (actor.type !== 'user') throw conflict('A test is sent to a person: sign in to send one');
  const found = await ctx.issues.issue(id);
  if (!found) throw notFound('The issue');
  const to = await ctx.issues.userEmail(actor.id);
  if (!to) throw notFound('Your account');
  const now = ctx.clock.now();
  const mail = issueMailer({ ...found, subject: `[Test] ${found.subject}` }, ctx.settings)(
    to,
    unsubscribeToken(to, ctx.settings.secret),
    `newsletter:test:${id}:${now.getTime()}`,
    'newsletter-test',
  );
  await ctx.db.transaction().execute(async (trx) => {
    await ctx.deps.mail.enqueue(trx, mail);
    await auditIssue(trx, actor, 'newsletter-issue.test-sent', id);
  });
  return to;
}

/** An issue's body as HTML, through the renderer and sanitiser of publications. */
export function bodyHtml(body: string): string {
  return renderMarkdown(body).html;
}

/**
 * What the composer may add to an issue with one click: recently published publications and
 * upcoming training sessions, when those exist (from their own modules' public lists).
 */
export async function insertions(ctx: NewsletterContext): Promise<Insertion[]> {
  return ctx.deps.insertions ? ctx.deps.insertions() : [];
}

/**
 * The draft's content with an insertion's Markdown added at its end; nothing is saved. An item
 * gone from the list since the page was shown (published over, session passed) is refused.
 */
export async function withInsertion(
  ctx: NewsletterContext,
  body: string,
  key: string,
): Promise<{ body: string; label: string }> {
  const item = (await insertions(ctx)).find((i) => i.key === key);
  if (!item)
    throw invalid([
      { field: 'body', message: 'That item is no longer among the latest publications and training: choose another' },
    ]);
  return { body: appendMarkdown(body, item.markdown), label: item.label };
}

export function archive(ctx: NewsletterContext, q: string | null) {
  return ctx.issues.archive(q, 100);
}

/** A sent issue's web version: never a recipient's token in it. */
export async function archived(ctx: NewsletterContext, slug: string) {
  const found = await ctx.issues.sentIssueBySlug(slug);
  if (!found) throw notFound('The issue');
  return { issue: found, html: issueHtml(found, ctx.settings, false), text: issueText(found, ctx.settings) };
}

export async function report(ctx: NewsletterContext, actor: Actor | null, id: string) {
  const shown = await issue(ctx, actor, id);
  const row = await ctx.issues.issue(id);
  const rows = await ctx.issues.report(id, row?.send_started_at ?? new Date(0));
  return { issue: shown, rows };
}
