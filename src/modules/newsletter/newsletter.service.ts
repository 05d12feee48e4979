import type { Kysely } from 'kysely';
import type { Clock } from '../../platform/clock.ts';
import type { DbOrTx } from '../../platform/db/database.ts';
import type { Database } from '../../platform/db/schema.ts';
import { defineJob } from '../../platform/jobs/queue.ts';
import type { Actor } from '../accounts/domain.ts';
import {
  fanOutPayload,
  newsletterContext,
  type IssueInput,
  type NewsletterContext,
  type NewsletterDeps,
  type NewsletterSettings,
} from './context.ts';
import * as issues from './issues.ts';
import * as sending from './sending.ts';
import * as subscriptions from './subscriptions.ts';

export type { Insertion, IssueInput, IssueView, NewsletterSettings } from './context.ts';

/**
 * The Ombudsman Link newsletter: subscriptions, issues, sending through the outbox, the archive and
 * reports. Each group of use cases is in its own file; this class is their one door.
 */
export class NewsletterService {
  private readonly ctx: NewsletterContext;

  readonly fanOutJob = defineJob({
    name: 'newsletter.fan-out',
    schema: fanOutPayload,
    retryLimit: 10,
    retryDelaySeconds: 5,
    expireInSeconds: 300,
    handler: async ({ issueId }) => {
      await this.fanOut(issueId);
    },
  });

  constructor(db: Kysely<Database>, clock: Clock, deps: NewsletterDeps, settings: NewsletterSettings) {
    this.ctx = newsletterContext(db, clock, deps, settings, this.fanOutJob);
  }

  // Subscribing, preferences and leaving.
  requestSubscription = (input: { email: string; name: string | null; organisation: string | null }) =>
    subscriptions.requestSubscription(this.ctx, input);
  confirmation = (token: string) => subscriptions.confirmation(this.ctx, token);
  confirm = (token: string) => subscriptions.confirm(this.ctx, token);
  preferences = (token: string) => subscriptions.preferences(this.ctx, token);
  saveTopics = (token: string, topics: string[]) => subscriptions.saveTopics(this.ctx, token, topics);
  unsubscribe = (token: string) => subscriptions.unsubscribe(this.ctx, token);
  unsubscribeByMail = (recipients: readonly string[], db?: DbOrTx) =>
    subscriptions.unsubscribeByMail(this.ctx, recipients, db);
  fileInbound = (inboundId: string) => subscriptions.fileInbound(this.ctx, inboundId);
  sweepExpiredRequests = () => subscriptions.sweepExpiredRequests(this.ctx);
  subscribers = (actor: Actor | null) => subscriptions.subscribers(this.ctx, actor);

  // Issues.
  createIssue = (actor: Actor | null, input: IssueInput) => issues.createIssue(this.ctx, actor, input);
  updateIssue = (actor: Actor | null, id: string, input: IssueInput) => issues.updateIssue(this.ctx, actor, id, input);
  issues = (actor: Actor | null) => issues.issues(this.ctx, actor);
  issue = (actor: Actor | null, id: string) => issues.issue(this.ctx, actor, id);
  preview = (actor: Actor | null, id: string) => issues.preview(this.ctx, actor, id);
  testSend = (actor: Actor | null, id: string) => issues.testSend(this.ctx, actor, id);
  bodyHtml = (body: string) => issues.bodyHtml(body);
  insertions = () => issues.insertions(this.ctx);
  withInsertion = (body: string, key: string) => issues.withInsertion(this.ctx, body, key);

  // Sending.
  send = (actor: Actor | null, id: string, at: Date | null = null) => sending.send(this.ctx, actor, id, at);
  pause = (actor: Actor | null, id: string) => sending.setPaused(this.ctx, actor, id, true);
  resume = (actor: Actor | null, id: string) => sending.setPaused(this.ctx, actor, id, false);
  fanOut = (issueId: string, budgetMs = 60_000) => sending.fanOut(this.ctx, issueId, budgetMs);
  sweep = () => sending.sweep(this.ctx);

  // Archive and reports.
  archive = (q: string | null) => issues.archive(this.ctx, q);
  archived = (slug: string) => issues.archived(this.ctx, slug);
  report = (actor: Actor | null, id: string) => issues.report(this.ctx, actor, id);
}
