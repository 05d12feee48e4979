import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import { handleForm, parseForm } from '../../http/forms.ts';
import { idParam, type PageRoute } from '../../http/routes.ts';
import { readUpload } from '../../http/uploads.ts';
import { invalid, notFound } from '../../platform/errors.ts';
import { dateFromParts } from '../../platform/input.ts';
import { decodeCursor, encodeCursor } from '../../platform/pagination.ts';
import type { Services } from '../../services.ts';
import { can, type Actor } from '../accounts/domain.ts';
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
const versionParams = z.object({ version: z.coerce.number().int().min(1).max(100_000) });

/**
 * The editor: only the relationship lead and casework managers. Declared public so that anyone
 * else, signed in or not, is told the page does not exist (a draft's address says nothing), as the
 * service would tell them.
 */
function editorOf(request: FastifyRequest): Actor {
  const actor = request.actor;
  if (!actor || actor.authorityId !== null || !can(actor, 'publications:edit')) throw notFound();
  return actor;
}

const page = (id: string) => `/staff/publications/${id}`;

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

export function publicationEditorRoutes(services: Services): PageRoute[] {
  const { publications } = services;
  const kinds = PUBLICATION_KINDS.map((k) => ({ value: k, text: KIND_NAMES[k] }));

  const renderForm = async (
    request: FastifyRequest,
    reply: Parameters<PageRoute['handler']>[1],
    context: { id: string | null; stored: Record<string, unknown> | null; correcting: boolean; title: string },
  ) => {
    const topics = await publications.topics();
    const sent = request.flash.values;
    return reply.render('publications/views/staff-form.njk', {
      ...context,
      kinds,
      topics,
      values: sent && Object.keys(sent).length > 0 ? sent : (context.stored ?? {}),
      action: context.id ? `${page(context.id)}/edit` : '/staff/publications/new',
    });
  };

  return [
    {
      method: 'GET',
      url: '/staff/publications',
      access: 'public',
      handler: async (request, reply) => {
        const actor = editorOf(request);
        const { cursor } = listQuery.parse(request.query ?? {});
        const after = cursor ? decodeCursor(cursor, editorKey) : null;
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
    },
    {
      method: 'GET',
      url: '/staff/publications/new',
      access: 'public',
      handler: async (request, reply) => {
        editorOf(request);
        return renderForm(request, reply, { id: null, stored: null, correcting: false, title: 'New publication' });
      },
    },
    {
      method: 'POST',
      url: '/staff/publications/new',
      access: 'public',
      handler: async (request, reply) => {
        const actor = editorOf(request);
        return handleForm(request, reply, '/staff/publications/new', async () => {
          const form = parseForm(publicationForm, request.body);
          const created = await publications.createDraft(actor, form, form.newTopic);
          reply.setFlash({ notice: 'The draft is saved. Preview it, then publish it when it is ready.' });
          return page(created.id);
        });
      },
    },
    {
      method: 'GET',
      url: '/staff/publications/:id',
      access: 'public',
      handler: async (request, reply) => {
        const actor = editorOf(request);
        const found = await publications.forEditor(actor, idParam(request));
        const topics = await publications.library.topics();
        return reply.render('publications/views/staff-publication.njk', {
          publication: found,
          kindName: KIND_NAMES[found.row.kind as PublicationKind] ?? found.row.kind,
          stateName: STATE_NAMES[found.state],
          topicNames: found.row.topics.map((t) => topics.get(t) ?? t),
        });
      },
    },
    {
      method: 'GET',
      url: '/staff/publications/:id/edit',
      access: 'public',
      handler: async (request, reply) => {
        const actor = editorOf(request);
        const found = await publications.forEditor(actor, idParam(request));
        if (found.state === 'withdrawn') throw notFound();
        return renderForm(request, reply, {
          id: found.row.id,
          stored: formValues(found.row),
          correcting: found.state === 'published',
          title: found.state === 'published' ? `Correct ${found.row.title}` : `Change ${found.row.title}`,
        });
      },
    },
    {
      method: 'POST',
      url: '/staff/publications/:id/edit',
      access: 'public',
      handler: async (request, reply) => {
        const actor = editorOf(request);
        const id = idParam(request);
        return handleForm(request, reply, `${page(id)}/edit`, async () => {
          const found = await publications.forEditor(actor, id);
          if (found.state === 'published') {
            const form = parseForm(correctionForm, request.body);
            await publications.correct(actor, id, form, form.note, form.newTopic);
            reply.setFlash({
              notice: 'The correction is published, with its note. The previous version is kept below.',
            });
          } else {
            const form = parseForm(publicationForm, request.body);
            await publications.update(actor, id, form, form.newTopic);
            reply.setFlash({ notice: 'Your changes are saved.' });
          }
          return page(id);
        });
      },
    },
    {
      method: 'GET',
      url: '/staff/publications/:id/preview',
      access: 'public',
      handler: async (request, reply) => {
        const actor = editorOf(request);
        const view = await publications.library.preview(actor, idParam(request));
        return reply.render('publications/views/publication.njk', { publication: view, preview: true });
      },
    },
    {
      method: 'GET',
      url: '/staff/publications/:id/versions/:version',
      access: 'public',
      handler: async (request, reply) => {
        const actor = editorOf(request);
        const parsed = versionParams.safeParse(request.params);
        if (!parsed.success) throw notFound();
        const { version } = parsed.data;
        const old = await publications.library.oldVersion(actor, idParam(request), version);
        return reply.render('publications/views/staff-version.njk', { old });
      },
    },
    {
      method: 'POST',
      url: '/staff/publications/:id/publish',
      access: 'public',
      handler: async (request, reply) => {
        const actor = editorOf(request);
        const id = idParam(request);
        return handleForm(request, reply, `${page(id)}#publish`, async () => {
          const form = parseForm(publishForm, request.body);
          let at: Date | null = null;
          if (form.when === 'schedule') {
            const date = dateFromParts(form['publishAt-day'], form['publishAt-month'], form['publishAt-year']);
            const time = parseTimeOfDay(form['publishAt-time']);
            const problems = [];
            if (!date) problems.push({ field: 'publishAt', message: 'Enter the date to publish it, like 27 3 2027' });
            if (!time)
              problems.push({ field: 'publishAt-time', message: 'Enter the time to publish it, like 9am or 2:30pm' });
            if (date && time) {
              at = londonInstant(date, time.hour, time.minute);
              if (!at)
                problems.push({ field: 'publishAt-time', message: 'That time does not exist in London that day' });
            }
            if (problems.length > 0) throw invalid(problems);
          }
          const result = await publications.publish(actor, id, at);
          reply.setFlash({
            notice:
              result.status === 'published'
                ? 'It is published. It is in the library, the feed and the sitemap.'
                : 'It is scheduled. The public will see it from the time you chose.',
          });
          return page(id);
        });
      },
    },
    {
      method: 'POST',
      url: '/staff/publications/:id/unschedule',
      access: 'public',
      handler: async (request, reply) => {
        const actor = editorOf(request);
        const id = idParam(request);
        return handleForm(request, reply, page(id), async () => {
          await publications.unschedule(actor, id);
          reply.setFlash({ notice: 'It is a draft again: it will not be published until you publish it.' });
          return page(id);
        });
      },
    },
    {
      method: 'GET',
      url: '/staff/publications/:id/withdraw',
      access: 'public',
      handler: async (request, reply) => {
        const actor = editorOf(request);
        const found = await publications.forEditor(actor, idParam(request));
        if (found.state !== 'published') throw notFound();
        return reply.render('publications/views/staff-withdraw.njk', { publication: found });
      },
    },
    {
      method: 'POST',
      url: '/staff/publications/:id/withdraw',
      access: 'public',
      handler: async (request, reply) => {
        const actor = editorOf(request);
        const id = idParam(request);
        return handleForm(request, reply, `${page(id)}/withdraw`, async () => {
          const form = parseForm(withdrawForm, request.body);
          await publications.withdraw(actor, id, form.notice);
          reply.setFlash({ notice: 'It is withdrawn. Its address now says so, with your notice.' });
          return page(id);
        });
      },
    },
    {
      method: 'POST',
      url: '/staff/publications/:id/attachments',
      access: 'public',
      bodyLimit: services.files.settings.maxBytes + 64 * 1024,
      handler: async (request, reply) => {
        const actor = editorOf(request);
        const id = idParam(request);
        return handleForm(request, reply, `${page(id)}#files`, async () => {
          const upload = await readUpload(services.files, request);
          if (!upload || upload.filename === '')
            throw invalid([{ field: 'file', message: 'Select a PDF or Word document' }]);
          const form = parseForm(attachmentForm, upload.fields);
          await publications.addAttachment(actor, id, {
            content: upload.bytes,
            filename: upload.filename,
            title: form.title,
          });
          reply.setFlash({ notice: 'The file is added.' });
          return `${page(id)}#files`;
        });
      },
    },
    {
      method: 'POST',
      url: '/staff/publications/:id/attachments/:attachmentId/remove',
      access: 'public',
      handler: async (request, reply) => {
        const actor = editorOf(request);
        const id = idParam(request);
        const attachmentId = idParam(request, 'attachmentId');
        return handleForm(request, reply, `${page(id)}#files`, async () => {
          await publications.removeAttachment(actor, id, attachmentId);
          reply.setFlash({ notice: 'The file is removed.' });
          return `${page(id)}#files`;
        });
      },
    },
    {
      method: 'GET',
      url: '/staff/pages/link-officers',
      access: 'public',
      handler: async (request, reply) => {
        editorOf(request);
        const stored = await publications.library.sitePage(LINK_OFFICER_PAGE);
        const sent = request.flash.values;
        return reply.render('publications/views/staff-site-page.njk', {
          values:
            sent && Object.keys(sent).length > 0 ? sent : { title: stored?.title ?? '', body: stored?.body ?? '' },
          updatedAt: stored?.updatedAt ?? null,
        });
      },
    },
    {
      method: 'POST',
      url: '/staff/pages/link-officers',
      access: 'public',
      handler: async (request, reply) => {
        const actor = editorOf(request);
        return handleForm(request, reply, '/staff/pages/link-officers', async () => {
          const form = parseForm(sitePageForm, request.body);
          await publications.saveSitePage(actor, LINK_OFFICER_PAGE, form);
          reply.setFlash({ notice: 'The page is saved and shown to the public.' });
          return '/staff/pages/link-officers';
        });
      },
    },
  ];
}
