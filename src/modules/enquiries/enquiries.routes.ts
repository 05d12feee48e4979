import { sendDocument } from '../../http/uploads.ts';
import { z } from 'zod';
import type { Services } from '../../services.ts';
import { handleForm, parseForm } from '../../http/forms.ts';
import { type PageRoute, actorOf, idParam } from '../../http/routes.ts';
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
  reasonForm,
  settingsForm,
} from './enquiries.schemas.ts';

const uuid = z.uuid();

const QUESTION_FIELDS = 5;

/** Staff pages to send and follow enquiries; portal pages to answer, delegate and ask for time. */
export function enquiriesRoutes(services: Services): PageRoute[] {
  const { enquiries } = services;
  const staffPage = (id: string) => `/staff/enquiries/${id}`;
  const portalPage = (id: string) => `/portal/enquiries/${id}`;

  return [
    {
      method: 'GET',
      url: '/staff/enquiries',
      access: 'enquiries:read',
      handler: async (request, reply) => {
        const overdue = await enquiries.overdue(actorOf(request), 100);
        return reply.render('enquiries/views/staff-overdue.njk', { overdue });
      },
    },
    {
      method: 'GET',
      url: '/staff/complaints/:id/enquiries/new',
      access: 'enquiries:send',
      handler: async (request, reply) => {
        const context = await enquiries.composeContext(actorOf(request), idParam(request, 'id'));
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
    },
    {
      method: 'POST',
      url: '/staff/complaints/:id/enquiries',
      access: 'enquiries:send',
      handler: async (request, reply) => {
        const complaintId = idParam(request, 'id');
        return handleForm(request, reply, `/staff/complaints/${complaintId}/enquiries/new`, async () => {
          const form = parseForm(composeForm, request.body);
          const sent = await enquiries.send(actorOf(request), complaintId, form);
          reply.setFlash({
            notice: `Enquiry sent to ${sent.recipients.length} address${sent.recipients.length === 1 ? '' : 'es'}. The response is due by the date below.`,
          });
          return staffPage(sent.id);
        });
      },
    },
    {
      method: 'GET',
      url: '/staff/enquiries/:id',
      access: 'enquiries:read',
      handler: async (request, reply) => {
        const actor = actorOf(request);
        const enquiry = await enquiries.get(actor, idParam(request, 'id'));
        return reply.render('enquiries/views/staff-enquiry.njk', {
          enquiry,
          canDecide: can(actor, 'enquiries:send'),
        });
      },
    },
    {
      method: 'POST',
      url: '/staff/enquiries/:id/extensions/:requestId',
      access: 'enquiries:send',
      handler: async (request, reply) => {
        const id = idParam(request, 'id');
        const requestId = idParam(request, 'requestId');
        return handleForm(request, reply, `${staffPage(id)}#decide`, async () => {
          const form = parseForm(decisionForm, request.body);
          if (form.decision === 'refuse') {
            await enquiries.decideExtension(actorOf(request), id, requestId, { grant: false, reason: form.reason });
            reply.setFlash({ notice: 'The request for more time has been refused. The authority has been told.' });
            return staffPage(id);
          }
          let choice: ExtensionChoice;
          if (form.grantBy === 'working-days') {
            const n = Number(form.workingDays ?? '');
            if (!Number.isInteger(n) || n < 1)
              throw invalid([{ field: 'workingDays', message: 'Enter a whole number of working days' }]);
            choice = { kind: 'working-days', workingDays: n };
          } else {
            const date = dateFromParts(request.body, 'newDate');
            if (date === null || date === 'invalid')
              throw invalid([{ field: 'newDate', message: 'Enter a real date, like 27 1 2027' }]);
            choice = { kind: 'date', date };
          }
          await enquiries.decideExtension(actorOf(request), id, requestId, {
            grant: true,
            choice,
            reason: form.reason,
          });
          reply.setFlash({ notice: 'More time has been granted. The authority has been told the new due date.' });
          return staffPage(id);
        });
      },
    },
    {
      method: 'POST',
      url: '/staff/enquiries/:id/close',
      access: 'enquiries:send',
      handler: async (request, reply) => {
        const id = idParam(request, 'id');
        return handleForm(request, reply, staffPage(id), async () => {
          const form = parseForm(closeForm, request.body);
          await enquiries.close(actorOf(request), id, form.closeReason);
          reply.setFlash({ notice: 'The enquiry has been closed.' });
          return staffPage(id);
        });
      },
    },

    // Portal -----------------------------------------------------------------------------------------
    {
      method: 'GET',
      url: '/portal/enquiries',
      access: 'enquiries:portal',
      handler: async (request, reply) => {
        const actor = actorOf(request);
        const cursor = (request.query as { cursor?: unknown }).cursor;
        const inbox = await enquiries.inbox(actor, typeof cursor === 'string' ? cursor : undefined);
        return reply.render('enquiries/views/portal-inbox.njk', {
          ...inbox,
          isLinkOfficer: can(actor, 'enquiries:delegate'),
        });
      },
    },
    {
      method: 'GET',
      url: '/portal/enquiries/:id',
      access: 'enquiries:portal',
      handler: async (request, reply) => {
        const actor = actorOf(request);
        const enquiry = await enquiries.get(actor, idParam(request, 'id'));
        const delegates = enquiry.scope === 'link-officer' ? await enquiries.delegatesFor(actor) : [];
        return reply.render('enquiries/views/portal-enquiry.njk', { enquiry, delegates });
      },
    },
    {
      method: 'POST',
      url: '/portal/enquiries/:id/questions/:questionId/answer',
      access: 'enquiries:portal',
      handler: async (request, reply) => {
        const id = idParam(request, 'id');
        const questionId = idParam(request, 'questionId');
        return handleForm(request, reply, `${portalPage(id)}#question-${questionId}`, async () => {
          const parsed = answerForm.safeParse(request.body ?? {});
          if (!parsed.success) throw invalid([{ field: `answer-${questionId}`, message: 'Enter the answer' }]);
          const form = parsed.data;
          await enquiries.answer(actorOf(request), id, questionId, form.answer, form.intent === 'ready');
          reply.setFlash({ notice: 'Your answer has been saved.' });
          return `${portalPage(id)}#question-${questionId}`;
        });
      },
    },
    {
      method: 'POST',
      url: '/portal/enquiries/:id/questions/:questionId/documents',
      access: 'enquiries:portal',
      bodyLimit: services.files.settings.maxBytes + 64 * 1024,
      handler: async (request, reply) => {
        const id = idParam(request, 'id');
        const questionId = idParam(request, 'questionId');
        return handleForm(request, reply, `${portalPage(id)}#question-${questionId}`, async () => {
          const limits = { fileSize: services.files.settings.maxBytes, files: 1 };
          const file = request.isMultipart() ? await request.file({ limits }) : undefined;
          const field = `file-${questionId}`;
          if (!file || file.filename === '') throw invalid([{ field, message: 'Select a file' }]);
          const content = await services.files.readLimited(file.file, field);
          // A file past the limit is cut short by the form parser: refuse it rather than keep a part.
          if (file.file.truncated) throw services.files.tooLarge(field);
          await enquiries.attachDocument(actorOf(request), id, questionId, { content, filename: file.filename, field });
          reply.setFlash({ notice: `${file.filename} has been added to your answer.` });
          return `${portalPage(id)}#question-${questionId}`;
        });
      },
    },
    ...(['portal', 'staff'] as const).map((face): PageRoute => ({
      method: 'GET',
      url: `/${face}/enquiries/:id/documents/:documentId`,
      access: face === 'portal' ? 'enquiries:portal' : 'enquiries:read',
      handler: async (request, reply) => {
        const { document, stream } = await enquiries.openDocument(
          actorOf(request),
          idParam(request, 'id'),
          idParam(request, 'documentId'),
        );
        return sendDocument(reply, document, stream);
      },
    })),
    {
      method: 'POST',
      url: '/portal/enquiries/:id/questions/:questionId/accept',
      access: 'enquiries:delegate',
      handler: async (request, reply) => {
        const id = idParam(request, 'id');
        const questionId = idParam(request, 'questionId');
        return handleForm(request, reply, portalPage(id), async () => {
          await enquiries.acceptAnswer(actorOf(request), id, questionId);
          reply.setFlash({ notice: 'The answer is accepted and ready to send.' });
          return `${portalPage(id)}#question-${questionId}`;
        });
      },
    },
    {
      method: 'POST',
      url: '/portal/enquiries/:id/delegate',
      access: 'enquiries:delegate',
      handler: async (request, reply) => {
        const id = idParam(request, 'id');
        return handleForm(request, reply, `${portalPage(id)}#delegate`, async () => {
          const form = parseForm(delegateForm, request.body);
          const due = dateFromParts(request.body, 'internalDueDate');
          if (due === null || due === 'invalid') {
            throw invalid([{ field: 'internalDueDate', message: 'Enter a real internal due date, like 8 1 2027' }]);
          }
          const questionId = form.target === 'enquiry' ? null : uuid.safeParse(form.target).data;
          if (questionId === undefined) throw invalid([{ field: 'target', message: 'Select what to delegate' }]);
          await enquiries.delegate(actorOf(request), id, {
            questionId,
            delegateUserId: form.delegateUserId,
            internalDueDate: due,
          });
          reply.setFlash({ notice: 'The work has been delegated. Your colleague can see it in their enquiries.' });
          return portalPage(id);
        });
      },
    },
    {
      method: 'POST',
      url: '/portal/enquiries/:id/extension',
      access: 'enquiries:delegate',
      handler: async (request, reply) => {
        const id = idParam(request, 'id');
        return handleForm(request, reply, `${portalPage(id)}#extension`, async () => {
          const form = parseForm(reasonForm, request.body);
          await enquiries.requestExtension(actorOf(request), id, form.reason);
          reply.setFlash({ notice: 'Your request for more time has been sent to the ombudsman.' });
          return portalPage(id);
        });
      },
    },
    {
      method: 'POST',
      url: '/portal/enquiries/:id/respond',
      access: 'enquiries:portal',
      handler: async (request, reply) => {
        const id = idParam(request, 'id');
        return handleForm(request, reply, `${portalPage(id)}#respond`, async () => {
          const result = await enquiries.submitResponse(actorOf(request), id);
          reply.setFlash({
            notice: result.onTime
              ? 'The response has been sent to the ombudsman, on time.'
              : 'The response has been sent to the ombudsman. It was after the due date, so it is recorded as late.',
          });
          return portalPage(id);
        });
      },
    },
    {
      method: 'GET',
      url: '/portal/delegation',
      access: 'enquiries:delegate',
      handler: async (request, reply) => {
        const data = await enquiries.delegationDashboard(actorOf(request));
        return reply.render('enquiries/views/portal-delegation.njk', data);
      },
    },
    {
      method: 'POST',
      url: '/portal/delegation/settings',
      access: 'enquiries:delegate',
      handler: async (request, reply) =>
        handleForm(request, reply, '/portal/delegation', async () => {
          const form = parseForm(settingsForm, request.body);
          await enquiries.setDelegateSubmission(actorOf(request), form.delegateSubmission);
          reply.setFlash({ notice: 'Your choice has been saved.' });
          return '/portal/delegation';
        }),
    },
  ];
}
