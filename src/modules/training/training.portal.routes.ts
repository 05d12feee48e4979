import { handleForm, parseForm } from '../../http/forms.ts';
import { actorOf, idParam, type PageRoute } from '../../http/routes.ts';
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
    {
      method: 'GET',
      url: home,
      access: 'training:book',
      handler: async (request, reply) => {
        const actor = actorOf(request);
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
    },
    {
      method: 'GET',
      url: '/portal/training/sessions/:id/book',
      access: 'training:book',
      handler: async (request, reply) => {
        const actor = actorOf(request);
        const session = await training.bookableSession(idParam(request), actor.authorityId);
        return reply.render('training/views/portal-book.njk', { session, when: sessionWhen(session) });
      },
    },
    {
      method: 'POST',
      url: '/portal/training/sessions/:id/book',
      access: 'training:book',
      handler: async (request, reply) => {
        const id = idParam(request);
        return handleForm(request, reply, `/portal/training/sessions/${id}/book`, async () => {
          const actor = actorOf(request);
          await training.bookableSession(id, actor.authorityId);
          const form = parseForm(portalBookingForm, request.body);
          const placed = await training.book(actor, id, bookingInput(form));
          reply.setFlash({
            notice:
              placed.status === 'confirmed'
                ? `${form.name} is booked. We have emailed them the details with a calendar file.`
                : `The session is full, so ${form.name} is on the waiting list (number ${placed.position} in order of booking). We will email them if a place comes free.`,
          });
          return home;
        });
      },
    },
    {
      method: 'POST',
      url: '/portal/training/bookings/:id/cancel',
      access: 'training:book',
      handler: async (request, reply) =>
        handleForm(request, reply, home, async () => {
          await training.cancelBooking(actorOf(request), idParam(request));
          reply.setFlash({ notice: 'The booking is cancelled, and the person told.' });
          return home;
        }),
    },
    {
      method: 'GET',
      url: '/portal/training/bookings/:id/certificate',
      access: 'training:book',
      handler: async (request, reply) => {
        const { filename, pdf } = await training.certificate({ actor: actorOf(request), bookingId: idParam(request) });
        return reply
          .header('content-type', 'application/pdf')
          .header('content-disposition', `attachment; filename="${filename}"`)
          .header('cache-control', 'no-store')
          .send(pdf);
      },
    },
  ];
}
