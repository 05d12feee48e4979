import { z } from 'zod';
import { form, page, withId } from '../../http/page-route.ts';
import type { PageRoute } from '../../http/routes.ts';
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

/** A link's token from the path; anything that is not one is simply not found by the service. */
const tokenParams = z.object({ token: z.string().max(100).catch('') });

/** What a course page or a list row shows: facts in words, the description as HTML, sessions with places. */
export function coursePage(entry: PublicCourse) {
  return Object.assign({ facts: courseFacts(entry.course), bookable: isBookable(entry.course.format) }, entry);
}

/** The public face: the course list, a course, booking with its emailed link, offers, certificates and feedback. */
export function trainingPublicRoutes(services: Services): PageRoute[] {
  const { training, authorities } = services;

  return [
    // The list and a course's page are the same for every visitor not signed in: kept whole for
    // PUBLIC_PAGE_CACHE_SECONDS, so places left may lag a booking by that long (booking reads afresh).
    page({
      url: '/training',
      access: 'public',
      publicCache: true,
      query: listQuery,
      handler: async ({ query: filter }, _request, reply) => {
        const courses = await training.publishedCourses(filter);
        return reply.render('training/views/public-list.njk', {
          courses: courses.map(coursePage),
          filter,
          audienceItems: AUDIENCES.map((a) => ({ value: a, text: AUDIENCE_NAMES[a], selected: filter.audience === a })),
          formatItems: FORMATS.map((f) => ({ value: f, text: FORMAT_NAMES[f], selected: filter.format === f })),
        });
      },
    }),
    page({
      url: '/training/courses/:id',
      access: 'public',
      publicCache: true,
      params: withId,
      handler: async ({ params }, _request, reply) => {
        const entry = await training.publishedCourse(params.id);
        return reply.render('training/views/public-course.njk', {
          entry: coursePage(entry),
          descriptionHtml: renderMarkdown(entry.course.description).html,
        });
      },
    }),
    page({
      url: '/training/sessions/:id/book',
      access: 'public',
      params: withId,
      query: pickerQuery,
      handler: async ({ params, query }, request, reply) => {
        const session = await training.bookableSession(params.id, null);
        const kept = request.flash.values ?? {};
        const chosen = typeof kept.authorityId === 'string' && kept.authorityId !== '' ? kept.authorityId : null;
        return reply.render('training/views/public-book.njk', {
          session,
          picker: await authorities.picker(query.q, chosen),
        });
      },
    }),
    form({
      url: '/training/sessions/:id/book',
      access: 'public',
      params: withId,
      body: publicBookingForm,
      back: ({ params, sent }) => pickerBack(`/training/sessions/${params.id}/book`, sent),
      action: async ({ params, body }) => {
        await training.requestPublicBooking(params.id, bookingInput(body));
        return {
          to: `/training/sessions/${params.id}/check-email`,
          notice: `We have sent a link to ${body.email}. Open it within 24 hours to confirm your booking: your place is not held until you do.`,
        };
      },
    }),
    page({
      url: '/training/sessions/:id/check-email',
      access: 'public',
      params: withId,
      handler: async ({ params }, _request, reply) => {
        const session = await training.bookableSession(params.id, null);
        return reply.render('training/views/public-check-email.njk', { session });
      },
    }),
    page({
      url: '/training/confirm/:token',
      access: 'public',
      params: tokenParams,
      handler: async ({ params: { token } }, _request, reply) => {
        const { booking, session } = await training.confirmationLink(token);
        return reply.render('training/views/public-confirm.njk', { booking, session, token });
      },
    }),
    form({
      url: '/training/confirm/:token',
      access: 'public',
      params: tokenParams,
      body: z.object({}),
      back: ({ params }) => `/training/confirm/${params.token}`,
      action: async ({ params: { token } }) => {
        const { session } = await training.confirmationLink(token);
        const placed = await training.confirmPublicBooking(token);
        return {
          to: `/training/courses/${session.course_id}`,
          notice:
            placed.status === 'confirmed'
              ? 'Your place is booked. We have emailed you the details with a calendar file.'
              : 'The session is full, so you are on the waiting list. We will email you if a place comes free.',
        };
      },
    }),
    page({
      url: '/training/offers/:token',
      access: 'public',
      params: tokenParams,
      handler: async ({ params: { token } }, _request, reply) => {
        const { booking, session } = await training.offerByLink(token);
        return reply.render('training/views/public-offer.njk', { booking, session, token });
      },
    }),
    form({
      url: '/training/offers/:token',
      access: 'public',
      params: tokenParams,
      body: offerForm,
      back: ({ params }) => `/training/offers/${params.token}`,
      action: async ({ params: { token }, body }) => {
        const { session } = await training.offerByLink(token);
        const answer = await training.answerOffer(token, body.answer === 'accept');
        return {
          to: `/training/courses/${session.course_id}`,
          notice:
            answer === 'confirmed'
              ? 'You have accepted the place. We have emailed you the details with a calendar file.'
              : 'You have declined the place. It will be offered to the next person on the waiting list.',
        };
      },
    }),
    page({
      url: '/training/attendance/:token',
      access: 'public',
      params: tokenParams,
      handler: async ({ params: { token } }, _request, reply) => {
        const view = await training.attendeeByLink(token);
        return reply.render('training/views/public-attendee.njk', { ...view, token });
      },
    }),
    page({
      url: '/training/attendance/:token/certificate',
      access: 'public',
      params: tokenParams,
      handler: async ({ params: { token } }, _request, reply) => {
        const { filename, pdf } = await training.certificate({ token });
        return reply
          .header('content-type', 'application/pdf')
          .header('content-disposition', `attachment; filename="${filename}"`)
          .header('cache-control', 'no-store')
          .send(pdf);
      },
    }),
    form({
      url: '/training/attendance/:token/feedback',
      access: 'public',
      params: tokenParams,
      body: feedbackForm,
      back: ({ params }) => `/training/attendance/${params.token}#feedback`,
      action: async ({ params: { token }, body }) => {
        await training.giveFeedback(token, body);
        return { to: `/training/attendance/${token}`, notice: 'Thank you for your feedback.' };
      },
    }),
  ];
}
