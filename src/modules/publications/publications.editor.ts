import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { parseForm } from '../../http/forms.ts';
import { form, page, withId } from '../../http/page-route.ts';
import type { PageRoute } from '../../http/routes.ts';
import { readUpload } from '../../http/uploads.ts';
import { invalid, notFound } from '../../platform/errors.ts';
import { dateFromParts } from '../../platform/input.ts';
import { decodeCursor, encodeCursor } from '../../platform/pagination.ts';
import type { Services } from '../../services.ts';
import {
  KIND_NAMES,
  PUBLICATION_KINDS,
  STATE_NAMES,
  londonInstant,
  parseTimeOfDay,
  type PublicationKind,
} from './domain.ts';
import { LINK_OFFICER_PAGE } from './publications.routes.ts';
import {
  attachmentForm,
  correctionForm,
  publicationForm,
  publishForm,
  sitePageForm,
  withdrawForm,
} from './publications.schemas.ts';

const editorKey = z.tuple([z.iso.datetime(), z.uuid()]);
const listQuery = z.object({ cursor: z.string().max(1000).optional() });
const versionParams = withId.extend({ version: z.coerce.number().int().min(1).max(100_000) });
const attachmentParams = withId.extend({ attachmentId: z.uuid() });

/**
 * The editor is for the relationship lead and casework managers only. Its routes are `hidden`:
 * anyone else, signed in or not, is told the page does not exist, so a draft's address says nothing.
 */
const EDITOR = { access: 'publications:edit', hidden: true } as const;

const pageOf = (id: string) => `/staff/publications/${id}`;

/** Values for the publication form from a stored publication. */
function formValues(row: {
  kind: string;
  title: string;
  summary: string;
  body: string;
  topics: string[];
  councillor_questions: string[];
  partners: string[];
}) {
  return {
    kind: row.kind,
    title: row.title,
    summary: row.summary,
    body: row.body,
    topics: row.topics,
    councillorQuestions: row.councillor_questions.join('\n'),
    partners: row.partners.join('\n'),
  };
}

/** When a publication is to be published: now, or the London date and time of a schedule. */
function publishTime(sent: z.output<typeof publishForm>): Date | null {
  if (sent.when !== 'schedule') return null;
  const date = dateFromParts(sent['publishAt-day'], sent['publishAt-month'], sent['publishAt-year']);
  const time = parseTimeOfDay(sent['publishAt-time']);
  const problems = [];
  if (!date) problems.push({ field: 'publishAt', message: 'Enter the date to publish it, like 27 3 2027' });
  if (!time) problems.push({ field: 'publishAt-time', message: 'Enter the time to publish it, like 9am or 2:30pm' });
  if (date && time) {
    const at = londonInstant(date, time.hour, time.minute);
    if (at) return at;
    problems.push({ field: 'publishAt-time', message: 'That time does not exist in London that day' });
  }
  throw invalid(problems);
}

export function publicationEditorRoutes(services: Services): PageRoute[] {
  const { publications } = services;
  const kinds = PUBLICATION_KINDS.map((k) => ({ value: k, text: KIND_NAMES[k] }));

  const renderForm = async (
    request: FastifyRequest,
    reply: FastifyReply,
    context: { id: string | null; stored: Record<string, unknown> | null; correcting: boolean; title: string },
  ) => {
    const topics = await publications.topics();
    const sent = request.flash.values;
    return reply.render('publications/views/staff-form.njk', {
      ...context,
      kinds,
      topics,
      values: sent && Object.keys(sent).length > 0 ? sent : (context.stored ?? {}),
      action: context.id ? `${pageOf(context.id)}/edit` : '/staff/publications/new',
    });
  };

  return [
    page({
      url: '/staff/publications',
      ...EDITOR,
      query: listQuery,
      handler: async ({ actor, query }, _request, reply) => {
        const after = query.cursor ? decodeCursor(query.cursor, editorKey) : null;
        const list = await publications.editorList(actor, after);
        return reply.render('publications/views/staff-list.njk', {
          items: list.items.map((i) =>
            Object.assign(
              { kindName: KIND_NAMES[i.kind as PublicationKind] ?? i.kind, stateName: STATE_NAMES[i.state] },
              i,
            ),
          ),
          nextHref: list.next ? `/staff/publications?cursor=${encodeCursor(list.next)}` : null,
        });
      },
    }),
    page({
      url: '/staff/publications/new',
      ...EDITOR,
      handler: async (_input, request, reply) =>
        renderForm(request, reply, { id: null, stored: null, correcting: false, title: 'New publication' }),
    }),
    form({
      url: '/staff/publications/new',
      ...EDITOR,
      body: publicationForm,
      back: '/staff/publications/new',
      action: async ({ actor, body }) => {
        const created = await publications.createDraft(actor, body, body.newTopic);
        return { to: pageOf(created.id), notice: 'The draft is saved. Preview it, then publish it when it is ready.' };
      },
    }),
    page({
      url: '/staff/publications/:id',
      ...EDITOR,
      params: withId,
      handler: async ({ actor, params }, _request, reply) => {
        const found = await publications.forEditor(actor, params.id);
        const topics = await publications.library.topics();
        return reply.render('publications/views/staff-publication.njk', {
          publication: found,
          kindName: KIND_NAMES[found.row.kind as PublicationKind] ?? found.row.kind,
          stateName: STATE_NAMES[found.state],
          topicNames: found.row.topics.map((t) => topics.get(t) ?? t),
        });
      },
    }),
    page({
      url: '/staff/publications/:id/edit',
      ...EDITOR,
      params: withId,
      handler: async ({ actor, params }, request, reply) => {
        const found = await publications.forEditor(actor, params.id);
        if (found.state === 'withdrawn') throw notFound();
        return renderForm(request, reply, {
          id: found.row.id,
          stored: formValues(found.row),
          correcting: found.state === 'published',
          title: found.state === 'published' ? `Correct ${found.row.title}` : `Change ${found.row.title}`,
        });
      },
    }),
    form({
      url: '/staff/publications/:id/edit',
      ...EDITOR,
      params: withId,
      // A published publication is corrected (with a note), a draft changed: which form is read
      // depends on its state.
      body: z.unknown(),
      back: ({ params }) => `${pageOf(params.id)}/edit`,
      action: async ({ actor, params, body }) => {
        const found = await publications.forEditor(actor, params.id);
        if (found.state === 'published') {
          const sent = parseForm(correctionForm, body);
          await publications.correct(actor, params.id, sent, sent.note, sent.newTopic);
          return {
            to: pageOf(params.id),
            notice: 'The correction is published, with its note. The previous version is kept below.',
          };
        }
        const sent = parseForm(publicationForm, body);
        await publications.update(actor, params.id, sent, sent.newTopic);
        return { to: pageOf(params.id), notice: 'Your changes are saved.' };
      },
    }),
    page({
      url: '/staff/publications/:id/preview',
      ...EDITOR,
      params: withId,
      handler: async ({ actor, params }, _request, reply) => {
        const view = await publications.library.preview(actor, params.id);
        return reply.render('publications/views/publication.njk', { publication: view, preview: true });
      },
    }),
    page({
      url: '/staff/publications/:id/versions/:version',
      ...EDITOR,
      params: versionParams,
      handler: async ({ actor, params }, _request, reply) => {
        const old = await publications.library.oldVersion(actor, params.id, params.version);
        return reply.render('publications/views/staff-version.njk', { old });
      },
    }),
    form({
      url: '/staff/publications/:id/publish',
      ...EDITOR,
      params: withId,
      body: publishForm,
      back: ({ params }) => `${pageOf(params.id)}#publish`,
      action: async ({ actor, params, body }) => {
        const result = await publications.publish(actor, params.id, publishTime(body));
        return {
          to: pageOf(params.id),
          notice:
            result.status === 'published'
              ? 'It is published. It is in the library, the feed and the sitemap.'
              : 'It is scheduled. The public will see it from the time you chose.',
        };
      },
    }),
    form({
      url: '/staff/publications/:id/unschedule',
      ...EDITOR,
      params: withId,
      body: z.object({}),
      back: ({ params }) => pageOf(params.id),
      action: async ({ actor, params }) => {
        await publications.unschedule(actor, params.id);
        return {
          to: pageOf(params.id),
          notice: 'It is a draft again: it will not be published until you publish it.',
        };
      },
    }),
    page({
      url: '/staff/publications/:id/withdraw',
      ...EDITOR,
      params: withId,
      handler: async ({ actor, params }, _request, reply) => {
        const found = await publications.forEditor(actor, params.id);
        if (found.state !== 'published') throw notFound();
        return reply.render('publications/views/staff-withdraw.njk', { publication: found });
      },
    }),
    form({
      url: '/staff/publications/:id/withdraw',
      ...EDITOR,
      params: withId,
      body: withdrawForm,
      back: ({ params }) => `${pageOf(params.id)}/withdraw`,
      action: async ({ actor, params, body }) => {
        await publications.withdraw(actor, params.id, body.notice);
        return { to: pageOf(params.id), notice: 'It is withdrawn. Its address now says so, with your notice.' };
      },
    }),
    form({
      url: '/staff/publications/:id/attachments',
      ...EDITOR,
      params: withId,
      // A multipart form: its fields are read with the file (readUpload), not as a body.
      body: z.unknown(),
      bodyLimit: services.files.settings.maxBytes + 64 * 1024,
      back: ({ params }) => `${pageOf(params.id)}#files`,
      action: async ({ actor, params }, request) => {
        const upload = await readUpload(services.files, request);
        if (!upload || upload.filename === '')
          throw invalid([{ field: 'file', message: 'Select a PDF or Word document' }]);
        const sent = parseForm(attachmentForm, upload.fields);
        await publications.addAttachment(actor, params.id, {
          content: upload.bytes,
          filename: upload.filename,
          title: sent.title,
        });
        return { to: `${pageOf(params.id)}#files`, notice: 'The file is added.' };
      },
    }),
    form({
      url: '/staff/publications/:id/attachments/:attachmentId/remove',
      ...EDITOR,
      params: attachmentParams,
      body: z.object({}),
      back: ({ params }) => `${pageOf(params.id)}#files`,
      action: async ({ actor, params }) => {
        await publications.removeAttachment(actor, params.id, params.attachmentId);
        return { to: `${pageOf(params.id)}#files`, notice: 'The file is removed.' };
      },
    }),
    page({
      url: '/staff/pages/link-officers',
      ...EDITOR,
      handler: async (_input, request, reply) => {
        const stored = await publications.library.sitePage(LINK_OFFICER_PAGE);
        const sent = request.flash.values;
        return reply.render('publications/views/staff-site-page.njk', {
          values:
            sent && Object.keys(sent).length > 0 ? sent : { title: stored?.title ?? '', body: stored?.body ?? '' },
          updatedAt: stored?.updatedAt ?? null,
        });
      },
    }),
    form({
      url: '/staff/pages/link-officers',
      ...EDITOR,
      body: sitePageForm,
      back: '/staff/pages/link-officers',
      action: async ({ actor, body }) => {
        await publications.saveSitePage(actor, LINK_OFFICER_PAGE, body);
        return { to: '/staff/pages/link-officers', notice: 'The page is saved and shown to the public.' };
      },
    }),
  ];
}
