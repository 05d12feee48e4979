import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { Services } from '../../services.ts';
import { cookieOptions, secureCookies } from '../../http/cookies.ts';
import { form, page } from '../../http/page-route.ts';
import type { PageRoute } from '../../http/routes.ts';
import { perAddressLimit, readUpload } from '../../http/uploads.ts';
import { invalid } from '../../platform/errors.ts';
import { ACCEPTED_KINDS } from '../../platform/files/sniff.ts';
import { changeQuery, questionQuery } from './complaints.schemas.ts';
import { answerValues, checkAnswersRows } from './presenters.ts';
import {
  STEPS,
  answered,
  firstMissing,
  markSeen,
  nextStep,
  previousStep,
  stepBySlug,
  type Answers,
} from './public-form.ts';
import { parseStep, toNewComplaint } from './public-form-answers.ts';

const DRAFT_COOKIE = 'liaison_complaint';

/** A question of the public form by its slug; any other is a page that does not exist. */
const stepParams = z.object({
  step: z.string().transform((slug, ctx) => {
    const step = stepBySlug(slug);
    if (step) return step;
    ctx.addIssue({ code: 'custom', message: 'There is no such question' });
    return z.NEVER;
  }),
});

/** A form that is only a button: nothing is read from its body (its CSRF token is checked before the route). */
const buttonOnly = z.unknown();

/** The public complaint form: a question a page, check your answers, attachments and the confirmation. */
export function complaintsPublicRoutes(services: Services): PageRoute[] {
  const { complaints, files, authorities } = services;
  // Secure as every other cookie is; its path (the form's pages only) rules out __Host-, so __Secure-.
  const secure = secureCookies(services.platform.config);
  const draftCookie = secure ? `__Secure-${DRAFT_COOKIE}` : DRAFT_COOKIE;
  const maxMegabytes = Math.round((files.settings.maxBytes / 1024 / 1024) * 10) / 10;

  const setDraftCookie = (reply: FastifyReply, token: string) =>
    reply.setCookie(draftCookie, token, { ...cookieOptions(secure, 24 * 3600), path: '/complain' });
  const draftOf = async (request: FastifyRequest): Promise<Answers> =>
    (await complaints.readDraft(request.cookies[draftCookie])) ?? {};
  const today = () => services.calendar.londonDate(services.platform.clock.now());
  // Anyone may upload on the public form: each address a few files an hour (the budget for all drafts is the files service's).
  const anonymousUploads = perAddressLimit({
    max: services.platform.config.ANON_UPLOADS_PER_HOUR,
    timeWindow: '1 hour',
    field: 'file',
    message: 'You have uploaded too many files in the last hour: try again later',
  });

  /** An answer to one question, from the question's page or, with `change`, from check your answers. */
  // An answer, from the question's page (or from check your answers, `?change=1`: then it goes back there).
  const answerForm = form({
    url: '/complain/:step',
    access: 'public',
    params: stepParams,
    query: changeQuery,
    body: z.record(z.string(), z.unknown()),
    back: ({ params, query: { change } }) => `/complain/${params.step.slug}${change ? '?change=1' : ''}`,
    action: async ({ params: { step }, query: { change }, body }, request, reply) => {
      const parsed = parseStep(step, body, today());
      if ('errors' in parsed) throw invalid(parsed.errors);
      const existing = await draftOf(request);
      const token = await complaints.saveDraft(request.cookies[draftCookie], {
        ...parsed.answers,
        ...markSeen(existing, step.slug),
      });
      setDraftCookie(reply, token);
      const answers = { ...existing, ...parsed.answers, ...markSeen(existing, step.slug) };
      const next = change ? firstMissing(answers) : nextStep(step.slug, answers);
      return next && (!change || !answered(next, answers)) ? `/complain/${next.slug}` : '/complain/check';
    },
  });

  return [
    page({
      url: '/complain',
      access: 'public',
      handler: async (_input, _request, reply) =>
        reply.render('complaints/views/public-start.njk', { firstStep: STEPS[0]?.slug }),
    }),
    page({
      url: '/complain/check',
      access: 'public',
      handler: async (_input, request, reply) => {
        const answers = await draftOf(request);
        const missing = firstMissing(answers);
        if (missing)
          return reply.redirect(Object.keys(answers).length === 0 ? '/complain' : `/complain/${missing.slug}`, 303);
        const input = toNewComplaint(answers);
        const authorityName = await complaints.authorityName(input.authorityId);
        const findings = await complaints.findings(input);
        return reply.render('complaints/views/public-check.njk', {
          rows: checkAnswersRows(answers, authorityName),
          findings,
        });
      },
    }),
    form({
      url: '/complain/check',
      access: 'public',
      body: buttonOnly,
      back: '/complain/check',
      action: async (_input, request, reply) => {
        const answers = await draftOf(request);
        if (firstMissing(answers)) return '/complain/check';
        const created = await complaints.submitDraft(request.cookies[draftCookie], toNewComplaint(answers));
        reply.clearCookie(draftCookie, { path: '/complain' });
        reply.setFlash({ values: { reference: created.reference } });
        return '/complain/confirmation';
      },
    }),
    page({
      url: '/complain/confirmation',
      access: 'public',
      handler: async (_input, request, reply) =>
        reply.render('complaints/views/public-confirmation.njk', {
          reference: request.flash.values?.reference ?? null,
        }),
    }),
    form({
      url: '/complain/attachments/upload',
      access: 'public',
      // A multipart form: its file is read in the action, not as a body.
      body: z.unknown(),
      bodyLimit: files.settings.maxBytes + 64 * 1024,
      back: '/complain/attachments',
      action: async (_input, request, reply) => {
        await anonymousUploads(request);
        const upload = await readUpload(services.files, request);
        if (!upload) throw invalid([{ field: 'file', message: 'Select a file' }]);
        const attached = await complaints.attachToDraft(request.cookies[draftCookie], upload.bytes, upload.filename);
        setDraftCookie(reply, attached.token);
        return { to: '/complain/attachments', notice: `${attached.filename} uploaded` };
      },
    }),
    page({
      url: '/complain/:step',
      access: 'public',
      params: stepParams,
      query: questionQuery,
      handler: async ({ params: { step }, query: { change, q } }, request, reply) => {
        const answers = await draftOf(request);
        if (!step.applies(answers)) return reply.redirect(`/complain/${firstMissing(answers)?.slug ?? 'check'}`, 303);
        const values =
          Object.keys(request.flash.values ?? {}).length > 0 ? (request.flash.values ?? {}) : answerValues(answers);
        const results =
          step.kind === 'authority' && q.trim() !== '' ? (await authorities.picker(q, null)).choices : null;
        const chosenName =
          step.kind === 'authority' && typeof answers.authorityId === 'string'
            ? await complaints.authorityName(answers.authorityId)
            : null;
        const previous = previousStep(step.slug, answers);
        return reply.render('complaints/views/public-question.njk', {
          step,
          values,
          change,
          q,
          results,
          chosenName,
          documents: Array.isArray(answers.documents) ? answers.documents : [],
          acceptedKinds: ACCEPTED_KINDS,
          maxMegabytes,
          backHref: change ? '/complain/check' : previous ? `/complain/${previous.slug}` : '/complain',
          action: `/complain/${step.slug}${change ? '?change=1' : ''}`,
        });
      },
    }),
    answerForm,
  ];
}
