import type { FastifyReply } from 'fastify';
import { z } from 'zod';
import { form, page, withId } from '../../http/page-route.ts';
import type { PageRoute } from '../../http/routes.ts';
import { invalid } from '../../platform/errors.ts';
import type { Services } from '../../services.ts';
import { TOPICS, TOPIC_NAMES } from './domain.ts';
import { subscribeLimit } from './newsletter.api.ts';
import {
  archiveQuery,
  issueForm,
  type IssueForm,
  preferencesForm,
  scheduleForm,
  slugParams,
  subscribeForm,
  tokenParams,
} from './newsletter.schemas.ts';
import { reportChart } from './newsletter.views.ts';

const topicItems = (chosen: readonly string[]) =>
  TOPICS.map((t) => ({ value: t, text: TOPIC_NAMES[t], checked: chosen.includes(t) }));

/** A London wall-clock date and time as an instant (the schedule form's fields). */
function scheduledInstant(date: string, time: string): Date {
  const d = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date.trim());
  const t = /^(\d{1,2}):(\d{2})$/.exec(time.trim());
  if (!d || !t) throw invalid([{ field: 'date', message: 'Enter the date as YYYY-MM-DD and the time as HH:MM' }]);
  const [y, mo, da, h, mi] = [Number(d[1]), Number(d[2]), Number(d[3]), Number(t[1]), Number(t[2])];
  const utc = Date.UTC(y, mo - 1, da, h, mi);
  const probe = new Date(utc);
  if (Number.isNaN(utc) || probe.getUTCDate() !== da || h > 23 || mi > 59)
    throw invalid([{ field: 'date', message: 'Enter a real date and time' }]);
  // London is UTC or UTC+1: take the offset London shows at that moment.
  const london = new Date(probe.toLocaleString('en-US', { timeZone: 'Europe/London' }));
  const utcView = new Date(probe.toLocaleString('en-US', { timeZone: 'UTC' }));
  return new Date(utc - (london.getTime() - utcView.getTime()));
}

/** The newsletter's pages: public (archive, subscribing, leaving) and staff (issues, sending, reports). */
export function newsletterRoutes(services: Services): PageRoute[] {
  const { newsletter } = services;
  /** An "Insert" button: back to the form with the item added to the content, nothing saved yet. */
  const insert = async (values: IssueForm, key: string, back: string, reply: FastifyReply) => {
    const { body, label } = await newsletter.withInsertion(values.body, key);
    reply.setFlash({
      values: { subject: values.subject, preheader: values.preheader, body, topics: values.topics },
      notice: `“${label}” is added at the end of the content. Save the draft to keep it.`,
    });
    return back;
  };
  return [
    // Public --------------------------------------------------------------------------------------
    page({
      url: '/newsletter',
      access: 'public',
      query: archiveQuery,
      handler: async ({ query }, _request, reply) =>
        reply.render('newsletter/views/public-archive.njk', {
          issues: await newsletter.archive(query.q?.trim() || null),
          q: query.q ?? '',
        }),
    }),
    page({
      url: '/newsletter/subscribe',
      access: 'public',
      handler: async (_input, _request, reply) => reply.render('newsletter/views/public-subscribe.njk', {}),
    }),
    form({
      url: '/newsletter/subscribe',
      access: 'public',
      body: subscribeForm,
      back: '/newsletter/subscribe',
      action: async ({ body }, request) => {
        await subscribeLimit(request);
        await newsletter.requestSubscription(body);
        return { to: '/newsletter/check-email', notice: `We have sent a link to ${body.email}.` };
      },
    }),
    page({
      url: '/newsletter/check-email',
      access: 'public',
      handler: async (_input, _request, reply) => reply.render('newsletter/views/public-check-email.njk', {}),
    }),
    page({
      url: '/newsletter/confirm/:token',
      access: 'public',
      params: tokenParams,
      handler: async ({ params }, _request, reply) =>
        reply.render('newsletter/views/public-confirm.njk', {
          request: await newsletter.confirmation(params.token),
          token: params.token,
        }),
    }),
    form({
      url: '/newsletter/confirm/:token',
      access: 'public',
      params: tokenParams,
      body: z.object({}),
      back: ({ params }) => `/newsletter/confirm/${params.token}`,
      action: async ({ params }) => {
        const { manageToken } = await newsletter.confirm(params.token);
        return {
          to: `/newsletter/preferences/${manageToken}`,
          notice: 'You are subscribed to Ombudsman Link. You can choose topics below.',
        };
      },
    }),
    page({
      url: '/newsletter/unsubscribe/:token',
      access: 'public',
      params: tokenParams,
      handler: async ({ params }, _request, reply) => {
        await newsletter.preferences(params.token);
        return reply.render('newsletter/views/public-unsubscribe.njk', { token: params.token });
      },
    }),
    form({
      url: '/newsletter/unsubscribe/:token',
      access: 'public',
      params: tokenParams,
      body: z.object({}),
      back: ({ params }) => `/newsletter/unsubscribe/${params.token}`,
      action: async ({ params }) => {
        await newsletter.unsubscribe(params.token);
        return {
          to: `/newsletter/preferences/${params.token}`,
          notice: 'You are unsubscribed: you will not receive Ombudsman Link again.',
        };
      },
    }),
    page({
      url: '/newsletter/preferences/:token',
      access: 'public',
      params: tokenParams,
      handler: async ({ params }, _request, reply) => {
        const prefs = await newsletter.preferences(params.token);
        return reply.render('newsletter/views/public-preferences.njk', {
          prefs,
          token: params.token,
          topicItems: topicItems(prefs.topics),
        });
      },
    }),
    form({
      url: '/newsletter/preferences/:token',
      access: 'public',
      params: tokenParams,
      body: preferencesForm,
      back: ({ params }) => `/newsletter/preferences/${params.token}`,
      action: async ({ params, body, back }) => {
        await newsletter.saveTopics(params.token, body.topics);
        return { to: back, notice: 'Your topics are saved.' };
      },
    }),
    page({
      url: '/newsletter/:slug',
      access: 'public',
      params: slugParams,
      handler: async ({ params }, _request, reply) => {
        const { issue } = await newsletter.archived(params.slug);
        return reply.render('newsletter/views/public-issue.njk', { issue, bodyHtml: newsletter.bodyHtml(issue.body) });
      },
    }),

    // Staff ---------------------------------------------------------------------------------------
    page({
      url: '/staff/newsletter',
      access: 'newsletter:manage',
      handler: async ({ actor }, _request, reply) =>
        reply.render('newsletter/views/staff-list.njk', {
          issues: await newsletter.issues(actor),
          subscribers: await newsletter.subscribers(actor),
        }),
    }),
    page({
      url: '/staff/newsletter/new',
      access: 'newsletter:manage',
      handler: async ({ actor }, request, reply) => {
        await newsletter.issues(actor);
        const kept = request.flash.values ?? {};
        return reply.render('newsletter/views/staff-issue-form.njk', {
          action: '/staff/newsletter/new',
          topicItems: topicItems(Array.isArray(kept.topics) ? (kept.topics as string[]) : []),
          insertions: await newsletter.insertions(),
        });
      },
    }),
    form({
      url: '/staff/newsletter/new',
      access: 'newsletter:manage',
      body: issueForm,
      back: '/staff/newsletter/new',
      action: async ({ actor, body, back }, _request, reply) => {
        if (body.insert !== undefined) return insert(body, body.insert, back, reply);
        const id = await newsletter.createIssue(actor, body);
        return { to: `/staff/newsletter/issues/${id}`, notice: 'The issue is saved as a draft.' };
      },
    }),
    page({
      url: '/staff/newsletter/issues/:id',
      access: 'newsletter:manage',
      params: withId,
      handler: async ({ actor, params }, _request, reply) => {
        const issue = await newsletter.issue(actor, params.id);
        const preview = await newsletter.preview(actor, params.id);
        return reply.render('newsletter/views/staff-issue.njk', { issue, preview, topicNames: TOPIC_NAMES });
      },
    }),
    page({
      url: '/staff/newsletter/issues/:id/edit',
      access: 'newsletter:manage',
      params: withId,
      handler: async ({ actor, params }, request, reply) => {
        const issue = await newsletter.issue(actor, params.id);
        const kept = request.flash.values;
        return reply.render('newsletter/views/staff-issue-form.njk', {
          issue,
          action: `/staff/newsletter/issues/${issue.id}/edit`,
          values: kept ?? { subject: issue.subject, preheader: issue.preheader, body: issue.body },
          topicItems: topicItems(kept && Array.isArray(kept.topics) ? (kept.topics as string[]) : issue.topics),
          insertions: await newsletter.insertions(),
        });
      },
    }),
    form({
      url: '/staff/newsletter/issues/:id/edit',
      access: 'newsletter:manage',
      params: withId,
      body: issueForm,
      back: ({ params }) => `/staff/newsletter/issues/${params.id}/edit`,
      action: async ({ actor, params, body, back }, _request, reply) => {
        if (body.insert !== undefined) {
          await newsletter.issue(actor, params.id);
          return insert(body, body.insert, back, reply);
        }
        await newsletter.updateIssue(actor, params.id, body);
        return { to: `/staff/newsletter/issues/${params.id}`, notice: 'The issue is saved.' };
      },
    }),
    page({
      url: '/staff/newsletter/issues/:id/preview',
      access: 'newsletter:manage',
      params: withId,
      handler: async ({ actor, params }, _request, reply) => {
        const preview = await newsletter.preview(actor, params.id);
        return reply
          .type('text/html; charset=utf-8')
          .header('content-security-policy', "default-src 'none'; style-src 'unsafe-inline'; img-src https:")
          .send(preview.html);
      },
    }),
    form({
      url: '/staff/newsletter/issues/:id/test',
      access: 'newsletter:manage',
      params: withId,
      body: z.object({}),
      back: ({ params }) => `/staff/newsletter/issues/${params.id}`,
      action: async ({ actor, params, back }) => {
        const to = await newsletter.testSend(actor, params.id);
        return { to: back, notice: `A test has been sent to ${to}.` };
      },
    }),
    form({
      url: '/staff/newsletter/issues/:id/send',
      access: 'newsletter:manage',
      params: withId,
      body: scheduleForm,
      back: ({ params }) => `/staff/newsletter/issues/${params.id}`,
      action: async ({ actor, params, body, back }) => {
        const at = body.when === 'later' ? scheduledInstant(body.date, body.time) : null;
        const status = await newsletter.send(actor, params.id, at);
        return status === 'scheduled'
          ? { to: back, notice: 'The issue is scheduled.' }
          : { to: `/staff/newsletter/issues/${params.id}/progress`, notice: 'The issue is being sent.' };
      },
    }),
    form({
      url: '/staff/newsletter/issues/:id/pause',
      access: 'newsletter:manage',
      params: withId,
      body: z.object({}),
      back: ({ params }) => `/staff/newsletter/issues/${params.id}/progress`,
      action: async ({ actor, params, back }) => {
        await newsletter.pause(actor, params.id);
        return { to: back, notice: 'Sending is paused.' };
      },
    }),
    form({
      url: '/staff/newsletter/issues/:id/resume',
      access: 'newsletter:manage',
      params: withId,
      body: z.object({}),
      back: ({ params }) => `/staff/newsletter/issues/${params.id}/progress`,
      action: async ({ actor, params, back }) => {
        await newsletter.resume(actor, params.id);
        return { to: back, notice: 'Sending has resumed.' };
      },
    }),
    page({
      url: '/staff/newsletter/issues/:id/progress',
      access: 'newsletter:manage',
      params: withId,
      handler: async ({ actor, params }, _request, reply) => {
        const issue = await newsletter.issue(actor, params.id);
        return reply.render('newsletter/views/staff-progress.njk', { issue });
      },
    }),
    // The progress page's figures for its script, which updates the page every few seconds.
    page({
      url: '/staff/newsletter/issues/:id/progress.json',
      access: 'newsletter:manage',
      params: withId,
      handler: async ({ actor, params }, _request, reply) => {
        const { status, progress } = await newsletter.issue(actor, params.id);
        return reply
          .header('content-type', 'application/json; charset=utf-8')
          .header('cache-control', 'no-store')
          .send(JSON.stringify({ status, ...progress }));
      },
    }),
    page({
      url: '/staff/newsletter/issues/:id/report',
      access: 'newsletter:manage',
      params: withId,
      handler: async ({ actor, params }, _request, reply) => {
        const { issue, rows } = await newsletter.report(actor, params.id);
        return reply.render('newsletter/views/staff-report.njk', { issue, rows, chart: reportChart(rows) });
      },
    }),
  ];
}
