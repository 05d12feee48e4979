import { z } from 'zod';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { handleForm, parseForm } from '../../http/forms.ts';
import { idParam, type PageRoute } from '../../http/routes.ts';
import { renderMarkdown } from '../../platform/markdown/markdown.ts';
import type { Services } from '../../services.ts';
import { pickerBack, pickerQuery } from '../authorities/authorities.schemas.ts';
import { AUDIENCES, AUDIENCE_NAMES, FORMATS, FORMAT_NAMES, isBookable } from './domain.ts';
import type { PublicCourse } from './courses.ts';
import { bookingInput, feedbackForm, offerForm, publicBookingForm } from './training.schemas.ts';
import { courseFacts } from './training.views.ts';

const listQuery = z.object({
  audience: z.enum(AUDIENCES).optional().catch(undefined),
  format: z.enum(FORMATS).optional().catch(undefined),
});

const tokenParams = z.object({ token: z.string().max(100).catch('') });

/** A link's token from the path; anything that is not one is simply not found by the service. */
const tokenParam = (request: FastifyRequest): string => tokenParams.parse(request.params ?? {}).token;

/** What a course page or a list row shows: facts in words, the description as HTML, sessions with places. */
export function coursePage(entry: PublicCourse) {
  return Object.assign({ facts: courseFacts(entry.course), bookable: isBookable(entry.course.format) }, entry);
}

/** The public face: the course list, a course, booking with its emailed link, offers, certificates and feedback. */
export function trainingPublicRoutes(services: Services): PageRoute[] {
  const { training, authorities } = services;
  const sendNotice = (reply: FastifyReply, notice: string, to: string) => {
    reply.setFlash({ notice });
    return to;
  };

  return [
    {
      method: 'GET',
      url: '/training',
      access: 'public',
      handler: async (request, reply) => {
        const filter = listQuery.parse(request.query ?? {});
        const courses = await training.publishedCourses(filter);
        return reply.render('training/views/public-list.njk', {
          courses: courses.map(coursePage),
          filter,
          audienceItems: AUDIENCES.map((a) => ({ value: a, text: AUDIENCE_NAMES[a], selected: filter.audience === a })),
          formatItems: FORMATS.map((f) => ({ value: f, text: FORMAT_NAMES[f], selected: filter.format === f })),
        });
      },
    },
    {
      method: 'GET',
      url: '/training/courses/:id',
      access: 'public',
      handler: async (request, reply) => {
        const entry = await training.publishedCourse(idParam(request));
        return reply.render('training/views/public-course.njk', {
          entry: coursePage(entry),
          descriptionHtml: renderMarkdown(entry.course.description).html,
        });
      },
    },
    {
      method: 'GET',
      url: '/training/sessions/:id/book',
      access: 'public',
      handler: async (request, reply) => {
        const session = await training.bookableSession(idParam(request), null);
        const kept = request.flash.values ?? {};
        const chosen = typeof kept.authorityId === 'string' && kept.authorityId !== '' ? kept.authorityId : null;
        return reply.render('training/views/public-book.njk', {
          session,
          picker: await authorities.picker(pickerQuery.parse(request.query ?? {}).q, chosen),
        });
      },
    },
    {
      method: 'POST',
      url: '/training/sessions/:id/book',
      access: 'public',
      handler: async (request, reply) => {
        const id = idParam(request);
        return handleForm(request, reply, pickerBack(`/training/sessions/${id}/book`, request.body), async () => {
          const form = parseForm(publicBookingForm, request.body);
          await training.requestPublicBooking(id, bookingInput(form));
          return sendNotice(
            reply,
            `We have sent a link to ${form.email}. Open it within 24 hours to confirm your booking: your place is not held until you do.`,
            `/training/sessions/${id}/check-email`,
          );
        });
      },
    },
    {
      method: 'GET',
      url: '/training/sessions/:id/check-email',
      access: 'public',
      handler: async (request, reply) => {
        const session = await training.bookableSession(idParam(request), null);
        return reply.render('training/views/public-check-email.njk', { session });
      },
    },
    {
      method: 'GET',
      url: '/training/confirm/:token',
      access: 'public',
      handler: async (request, reply) => {
        const { booking, session } = await training.confirmationLink(tokenParam(request));
        return reply.render('training/views/public-confirm.njk', { booking, session, token: tokenParam(request) });
      },
    },
    {
      method: 'POST',
      url: '/training/confirm/:token',
      access: 'public',
      handler: async (request, reply) => {
        const token = tokenParam(request);
        return handleForm(request, reply, `/training/confirm/${token}`, async () => {
          const { session } = await training.confirmationLink(token);
          const placed = await training.confirmPublicBooking(token);
          return sendNotice(
            reply,
            placed.status === 'confirmed'
              ? 'Your place is booked. We have emailed you the details with a calendar file.'
              : 'The session is full, so you are on the waiting list. We will email you if a place comes free.',
            `/training/courses/${session.course_id}`,
          );
        });
      },
    },
    {
      method: 'GET',
      url: '/training/offers/:token',
      access: 'public',
      handler: async (request, reply) => {
        const { booking, session } = await training.offerByLink(tokenParam(request));
        return reply.render('training/views/public-offer.njk', { booking, session, token: tokenParam(request) });
      },
    },
    {
      method: 'POST',
      url: '/training/offers/:token',
      access: 'public',
      handler: async (request, reply) => {
        const token = tokenParam(request);
        return handleForm(request, reply, `/training/offers/${token}`, async () => {
          const form = parseForm(offerForm, request.body);
          const { session } = await training.offerByLink(token);
          const answer = await training.answerOffer(token, form.answer === 'accept');
          return sendNotice(
            reply,
            answer === 'confirmed'
              ? 'You have accepted the place. We have emailed you the details with a calendar file.'
              : 'You have declined the place. It will be offered to the next person on the waiting list.',
            `/training/courses/${session.course_id}`,
          );
        });
      },
    },
    {
      method: 'GET',
      url: '/training/attendance/:token',
      access: 'public',
      handler: async (request, reply) => {
        const view = await training.attendeeByLink(tokenParam(request));
        return reply.render('training/views/public-attendee.njk', { ...view, token: tokenParam(request) });
      },
    },
    {
      method: 'GET',
      url: '/training/attendance/:token/certificate',
      access: 'public',
      handler: async (request, reply) => {
        const { filename, pdf } = await training.certificate({ token: tokenParam(request) });
        return reply
          .header('content-type', 'application/pdf')
          .header('content-disposition', `attachment; filename="${filename}"`)
          .header('cache-control', 'no-store')
          .send(pdf);
      },
    },
    {
      method: 'POST',
      url: '/training/attendance/:token/feedback',
      access: 'public',
      handler: async (request, reply) => {
        const token = tokenParam(request);
        return handleForm(request, reply, `/training/attendance/${token}#feedback`, async () => {
          const form = parseForm(feedbackForm, request.body);
          await training.giveFeedback(token, form);
          return sendNotice(reply, 'Thank you for your feedback.', `/training/attendance/${token}`);
        });
      },
    },
  ];
}
