import { z } from 'zod';
import { form, page, withId } from '../../http/page-route.ts';
import type { PageRoute } from '../../http/routes.ts';
import { notFound } from '../../platform/errors.ts';
import type { Services } from '../../services.ts';
import { bookingInput, portalBookingForm } from './training.schemas.ts';
import { coursePage } from './training.public.routes.ts';
import { bookingStatus, sessionWhen } from './training.views.ts';

/** The portal: the training on offer to the authority, booking its people, their bookings and history. */
export function trainingPortalRoutes(services: Services): PageRoute[] {
  const { training } = services;
  const home = '/portal/training';

  return [
    page({
      url: home,
      access: 'training:book',
      handler: async ({ actor }, _request, reply) => {
        if (!actor.authorityId) throw notFound('The authority');
        const [courses, bookings, history] = await Promise.all([
          training.publishedCourses({}, actor.authorityId),
          training.authorityBookings(actor),
          training.authorityHistory(actor, actor.authorityId),
        ]);
        return reply.render('training/views/portal-training.njk', {
          courses: courses.map(coursePage).filter((c) => c.bookable && c.sessions.length > 0),
          bookings: bookings.map((b) => Object.assign({ when: sessionWhen(b), statusText: bookingStatus(b) }, b)),
          history,
        });
      },
    }),
    page({
      url: '/portal/training/sessions/:id/book',
      access: 'training:book',
      params: withId,
      handler: async ({ actor, params }, _request, reply) => {
        const session = await training.bookableSession(params.id, actor.authorityId);
        return reply.render('training/views/portal-book.njk', { session, when: sessionWhen(session) });
      },
    }),
    form({
      url: '/portal/training/sessions/:id/book',
      access: 'training:book',
      params: withId,
      body: portalBookingForm,
      // A session this authority may not book is not found, whatever the form holds.
      back: async ({ actor, params }) => {
        await training.bookableSession(params.id, actor.authorityId);
        return `/portal/training/sessions/${params.id}/book`;
      },
      action: async ({ actor, params, body }) => {
        const placed = await training.book(actor, params.id, bookingInput(body));
        return {
          to: home,
          notice:
            placed.status === 'confirmed'
              ? `${body.name} is booked. We have emailed them the details with a calendar file.`
              : `The session is full, so ${body.name} is on the waiting list (number ${placed.position} in order of booking). We will email them if a place comes free.`,
        };
      },
    }),
    form({
      url: '/portal/training/bookings/:id/cancel',
      access: 'training:book',
      params: withId,
      body: z.object({}),
      back: home,
      action: async ({ actor, params }) => {
        await training.cancelBooking(actor, params.id);
        return { to: home, notice: 'The booking is cancelled, and the person told.' };
      },
    }),
    page({
      url: '/portal/training/bookings/:id/certificate',
      access: 'training:book',
      params: withId,
      handler: async ({ actor, params }, _request, reply) => {
        const { filename, pdf } = await training.certificate({ actor, bookingId: params.id });
        return reply
          .header('content-type', 'application/pdf')
          .header('content-disposition', `attachment; filename="${filename}"`)
          .header('cache-control', 'no-store')
          .send(pdf);
      },
    }),
  ];
}
