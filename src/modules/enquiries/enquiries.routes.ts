import { z } from 'zod';
import type { Services } from '../../services.ts';
import { form, page, withId } from '../../http/page-route.ts';
import type { PageRoute } from '../../http/routes.ts';
import { sendDocument } from '../../http/uploads.ts';
import { invalid } from '../../platform/errors.ts';
import { can } from '../accounts/domain.ts';
import { ENQUIRY_KINDS, ENQUIRY_KIND_NAMES, type ExtensionChoice } from './domain.ts';
import {
  answerForm,
  closeForm,
  composeForm,
  dateFromParts,
  decisionForm,
  delegateForm,
  inboxQuery,
  reasonForm,
  settingsForm,
} from './enquiries.schemas.ts';

const uuid = z.uuid();
const questionParams = z.object({ id: z.uuid(), questionId: z.uuid() });
const extensionParams = z.object({ id: z.uuid(), requestId: z.uuid() });
const documentParams = z.object({ id: z.uuid(), documentId: z.uuid() });
/** A form that is only a button: nothing is read from its body (its CSRF token is checked before the route). */
const buttonOnly = z.unknown();

const QUESTION_FIELDS = 5;

/** Staff pages to send and follow enquiries; portal pages to answer, delegate and ask for time. */
export function enquiriesRoutes(services: Services): PageRoute[] {
  const { enquiries } = services;
  const staffPage = (id: string) => `/staff/enquiries/${id}`;
  const portalPage = (id: string) => `/portal/enquiries/${id}`;
  const questionAnchor = (params: { id: string; questionId: string }) =>
    `${portalPage(params.id)}#question-${params.questionId}`;

  return [
    page({
      url: '/staff/enquiries',
      access: 'enquiries:read',
      handler: async ({ actor }, _request, reply) => {
        const overdue = await enquiries.overdue(actor, 100);
        return reply.render('enquiries/views/staff-overdue.njk', { overdue });
      },
    }),
    page({
      url: '/staff/complaints/:id/enquiries/new',
      access: 'enquiries:send',
      params: withId,
      handler: async ({ actor, params }, request, reply) => {
        const context = await enquiries.composeContext(actor, params.id);
        const kept = (request.flash.values?.questions ?? []) as string[] | string;
        const questions = Array.isArray(kept) ? kept : [kept];
        return reply.render('enquiries/views/compose.njk', {
          ...context,
          kinds: ENQUIRY_KINDS.map((k) => ({
            value: k,
            text: `${ENQUIRY_KIND_NAMES[k]} (${context.defaults[k]} working days)`,
          })),
          questionSlots: Array.from(
            { length: Math.max(QUESTION_FIELDS, questions.length) },
            (_v, i) => questions[i] ?? '',
          ),
        });
      },
    }),
    form({
      url: '/staff/complaints/:id/enquiries',
      access: 'enquiries:send',
      params: withId,
      body: composeForm,
      back: ({ params }) => `/staff/complaints/${params.id}/enquiries/new`,
      action: async ({ actor, params, body }) => {
        const sent = await enquiries.send(actor, params.id, body);
        return {
          to: staffPage(sent.id),
          notice: `Enquiry sent to ${sent.recipients.length} address${sent.recipients.length === 1 ? '' : 'es'}. The response is due by the date below.`,
        };
      },
    }),
    page({
      url: '/staff/enquiries/:id',
      access: 'enquiries:read',
      params: withId,
      handler: async ({ actor, params }, _request, reply) => {
        const enquiry = await enquiries.get(actor, params.id);
        return reply.render('enquiries/views/staff-enquiry.njk', {
          enquiry,
          canDecide: can(actor, 'enquiries:send'),
        });
      },
    }),
    form({
      url: '/staff/enquiries/:id/extensions/:requestId',
      access: 'enquiries:send',
      params: extensionParams,
      body: decisionForm,
      back: ({ params }) => `${staffPage(params.id)}#decide`,
      action: async ({ actor, params, body }) => {
        if (body.decision === 'refuse') {
          await enquiries.decideExtension(actor, params.id, params.requestId, { grant: false, reason: body.reason });
          return {
            to: staffPage(params.id),
            notice: 'The request for more time has been refused. The authority has been told.',
          };
        }
        let choice: ExtensionChoice;
        if (body.grantBy === 'working-days') {
          const n = Number(body.workingDays ?? '');
          if (!Number.isInteger(n) || n < 1)
            throw invalid([{ field: 'workingDays', message: 'Enter a whole number of working days' }]);
          choice = { kind: 'working-days', workingDays: n };
        } else {
          const date = dateFromParts(body, 'newDate');
          if (date === null || date === 'invalid')
            throw invalid([{ field: 'newDate', message: 'Enter a real date, like 27 1 2027' }]);
          choice = { kind: 'date', date };
        }
        await enquiries.decideExtension(actor, params.id, params.requestId, {
          grant: true,
          choice,
          reason: body.reason,
        });
        return {
          to: staffPage(params.id),
          notice: 'More time has been granted. The authority has been told the new due date.',
        };
      },
    }),
    form({
      url: '/staff/enquiries/:id/close',
      access: 'enquiries:send',
      params: withId,
      body: closeForm,
      back: ({ params }) => staffPage(params.id),
      action: async ({ actor, params, body, back }) => {
        await enquiries.close(actor, params.id, body.closeReason);
        return { to: back, notice: 'The enquiry has been closed.' };
      },
    }),

    // Portal -----------------------------------------------------------------------------------------
    page({
      url: '/portal/enquiries',
      access: 'enquiries:portal',
      query: inboxQuery,
      handler: async ({ actor, query }, _request, reply) => {
        const inbox = await enquiries.inbox(actor, query.cursor);
        return reply.render('enquiries/views/portal-inbox.njk', {
          ...inbox,
          isLinkOfficer: can(actor, 'enquiries:delegate'),
        });
      },
    }),
    page({
      url: '/portal/enquiries/:id',
      access: 'enquiries:portal',
      params: withId,
      handler: async ({ actor, params }, _request, reply) => {
        const enquiry = await enquiries.get(actor, params.id);
        const delegates = enquiry.scope === 'link-officer' ? await enquiries.delegatesFor(actor) : [];
        return reply.render('enquiries/views/portal-enquiry.njk', { enquiry, delegates });
      },
    }),
    form({
      url: '/portal/enquiries/:id/questions/:questionId/answer',
      access: 'enquiries:portal',
      params: questionParams,
      // An answer that does not parse is said on the question's own field, which the schema cannot name.
      body: answerForm.nullable().catch(null),
      back: ({ params }) => questionAnchor(params),
      action: async ({ actor, params, body, back }) => {
        if (!body) throw invalid([{ field: `answer-${params.questionId}`, message: 'Enter the answer' }]);
        await enquiries.answer(actor, params.id, params.questionId, body.answer, body.intent === 'ready');
        return { to: back, notice: 'Your answer has been saved.' };
      },
    }),
    form({
      url: '/portal/enquiries/:id/questions/:questionId/documents',
      access: 'enquiries:portal',
      params: questionParams,
      // A multipart form: its file is read in the action, not as a body.
      body: z.unknown(),
      bodyLimit: services.files.settings.maxBytes + 64 * 1024,
      back: ({ params }) => questionAnchor(params),
      action: async ({ actor, params, back }, request) => {
        const limits = { fileSize: services.files.settings.maxBytes, files: 1 };
        const file = request.isMultipart() ? await request.file({ limits }) : undefined;
        const field = `file-${params.questionId}`;
        if (!file || file.filename === '') throw invalid([{ field, message: 'Select a file' }]);
        const content = await services.files.readLimited(file.file, field);
        // A file past the limit is cut short by the form parser: refuse it rather than keep a part.
        if (file.file.truncated) throw services.files.tooLarge(field);
        await enquiries.attachDocument(actor, params.id, params.questionId, {
          content,
          filename: file.filename,
          field,
        });
        return { to: back, notice: `${file.filename} has been added to your answer.` };
      },
    }),
    ...(['portal', 'staff'] as const).map((face) =>
      page({
        url: `/${face}/enquiries/:id/documents/:documentId`,
        access: face === 'portal' ? 'enquiries:portal' : 'enquiries:read',
        params: documentParams,
        handler: async ({ actor, params }, _request, reply) => {
          const { document, stream } = await enquiries.openDocument(actor, params.id, params.documentId);
          return sendDocument(reply, document, stream);
        },
      }),
    ),
    form({
      url: '/portal/enquiries/:id/questions/:questionId/accept',
      access: 'enquiries:delegate',
      params: questionParams,
      body: buttonOnly,
      back: ({ params }) => portalPage(params.id),
      action: async ({ actor, params }) => {
        await enquiries.acceptAnswer(actor, params.id, params.questionId);
        return { to: questionAnchor(params), notice: 'The answer is accepted and ready to send.' };
      },
    }),
    form({
      url: '/portal/enquiries/:id/delegate',
      access: 'enquiries:delegate',
      params: withId,
      // Loose, so the three fields of the internal due date reach dateFromParts.
      body: delegateForm.loose(),
      back: ({ params }) => `${portalPage(params.id)}#delegate`,
      action: async ({ actor, params, body }) => {
        const due = dateFromParts(body, 'internalDueDate');
        if (due === null || due === 'invalid') {
          throw invalid([{ field: 'internalDueDate', message: 'Enter a real internal due date, like 8 1 2027' }]);
        }
        const questionId = body.target === 'enquiry' ? null : uuid.safeParse(body.target).data;
        if (questionId === undefined) throw invalid([{ field: 'target', message: 'Select what to delegate' }]);
        await enquiries.delegate(actor, params.id, {
          questionId,
          delegateUserId: body.delegateUserId,
          internalDueDate: due,
        });
        return {
          to: portalPage(params.id),
          notice: 'The work has been delegated. Your colleague can see it in their enquiries.',
        };
      },
    }),
    form({
      url: '/portal/enquiries/:id/extension',
      access: 'enquiries:delegate',
      params: withId,
      body: reasonForm,
      back: ({ params }) => `${portalPage(params.id)}#extension`,
      action: async ({ actor, params, body }) => {
        await enquiries.requestExtension(actor, params.id, body.reason);
        return { to: portalPage(params.id), notice: 'Your request for more time has been sent to the ombudsman.' };
      },
    }),
    form({
      url: '/portal/enquiries/:id/respond',
      access: 'enquiries:portal',
      params: withId,
      body: buttonOnly,
      back: ({ params }) => `${portalPage(params.id)}#respond`,
      action: async ({ actor, params }) => {
        const result = await enquiries.submitResponse(actor, params.id);
        return {
          to: portalPage(params.id),
          notice: result.onTime
            ? 'The response has been sent to the ombudsman, on time.'
            : 'The response has been sent to the ombudsman. It was after the due date, so it is recorded as late.',
        };
      },
    }),
    page({
      url: '/portal/delegation',
      access: 'enquiries:delegate',
      handler: async ({ actor }, _request, reply) => {
        const data = await enquiries.delegationDashboard(actor);
        return reply.render('enquiries/views/portal-delegation.njk', data);
      },
    }),
    form({
      url: '/portal/delegation/settings',
      access: 'enquiries:delegate',
      body: settingsForm,
      back: '/portal/delegation',
      action: async ({ actor, body, back }) => {
        await enquiries.setDelegateSubmission(actor, body.delegateSubmission);
        return { to: back, notice: 'Your choice has been saved.' };
      },
    }),
  ];
}
