import { z } from 'zod';
import { form, page, withId } from '../../http/page-route.ts';
import type { PageRoute } from '../../http/routes.ts';
import { londonDate } from '../../platform/calendar/calendar.ts';
import { invalid } from '../../platform/errors.ts';
import type { Services } from '../../services.ts';
import { can } from '../accounts/domain.ts';
import { pickerBack, pickerQuery } from '../authorities/authorities.schemas.ts';
import type { Attendance } from './attendance.ts';
import { londonTime } from './domain.ts';
import { sessionForm, sessionInput } from './training.schemas.ts';
import { bookingStatus, sessionWhen } from './training.views.ts';
import type { SessionRow } from './training.repository.ts';

/** Where a cancelled booking's page was: its session's, when the form says which. */
const cancelBookingBody = z.object({ sessionId: z.uuid().optional().catch(undefined) });

/** The register's form: one answer a person, `attendance-<booking id>`. */
const registerBody = z.record(z.string(), z.unknown());

/** The session form's values for a session as it is. */
function sessionValues(session: SessionRow): Record<string, unknown> {
  const [year, month, day] = londonDate(session.starts_at).split('-');
  const closesOnStart = session.booking_closes_at.getTime() === session.starts_at.getTime();
  const [cYear, cMonth, cDay] = closesOnStart ? ['', '', ''] : londonDate(session.booking_closes_at).split('-');
  return {
    'date-day': String(Number(day)),
    'date-month': String(Number(month)),
    'date-year': year,
    startTime: londonTime(session.starts_at),
    endTime: londonTime(session.ends_at),
    capacity: String(session.capacity),
    'closes-day': cDay ? String(Number(cDay)) : '',
    'closes-month': cMonth ? String(Number(cMonth)) : '',
    'closes-year': cYear ?? '',
    venue: session.venue ?? '',
    joiningInstructions: session.joining_instructions ?? '',
    trainerId: session.trainer_id ?? '',
    authorityId: session.authority_id ?? '',
    network: session.network ?? '',
  };
}

/** Staff pages for sessions: adding and changing them (relationship lead), bookings, registers (trainers). */
export function trainingSessionRoutes(services: Services): PageRoute[] {
  const { training, authorities } = services;

  return [
    page({
      url: '/staff/training/courses/:id/sessions/new',
      access: 'training:manage',
      params: withId,
      query: pickerQuery,
      handler: async ({ actor, params, query }, request, reply) => {
        const course = await training.course(actor, params.id);
        const kept = request.flash.values ?? {};
        const chosen = typeof kept.authorityId === 'string' && kept.authorityId !== '' ? kept.authorityId : null;
        const trainers = await training.trainers(actor);
        return reply.render('training/views/staff-session-form.njk', {
          course,
          action: `/staff/training/courses/${course.id}/sessions`,
          trainerItems: [
            { value: '', text: 'Choose a trainer' },
            ...trainers.map((t) => ({ value: t.id, text: t.display_name, selected: kept.trainerId === t.id })),
          ],
          picker: await authorities.picker(query.q, chosen),
          pickerAction: `/staff/training/courses/${course.id}/sessions/new`,
        });
      },
    }),
    form({
      url: '/staff/training/courses/:id/sessions',
      access: 'training:manage',
      params: withId,
      body: sessionForm,
      back: ({ params, sent }) => pickerBack(`/staff/training/courses/${params.id}/sessions/new`, sent),
      action: async ({ actor, params, body }) => {
        const sessionId = await training.createSession(actor, params.id, sessionInput(body));
        return { to: `/staff/training/sessions/${sessionId}`, notice: 'The session is added.' };
      },
    }),
    page({
      url: '/staff/training/sessions/:id/edit',
      access: 'training:manage',
      params: withId,
      query: pickerQuery,
      handler: async ({ actor, params, query }, request, reply) => {
        const { session } = await training.session(actor, params.id);
        const kept = request.flash.values;
        const values = kept && Object.keys(kept).length > 0 ? kept : sessionValues(session);
        const chosen = typeof values.authorityId === 'string' && values.authorityId !== '' ? values.authorityId : null;
        const trainers = await training.trainers(actor);
        return reply.render('training/views/staff-session-form.njk', {
          values,
          course: { id: session.course_id, title: session.course_title },
          heading: 'Change the session',
          buttonText: 'Save session',
          back: `/staff/training/sessions/${session.id}`,
          action: `/staff/training/sessions/${session.id}`,
          trainerItems: [
            { value: '', text: 'Choose a trainer' },
            ...trainers.map((t) => ({ value: t.id, text: t.display_name, selected: values.trainerId === t.id })),
          ],
          picker: await authorities.picker(query.q, chosen),
          pickerAction: `/staff/training/sessions/${session.id}/edit`,
        });
      },
    }),
    form({
      url: '/staff/training/sessions/:id',
      access: 'training:manage',
      params: withId,
      body: sessionForm,
      back: ({ params, sent }) => pickerBack(`/staff/training/sessions/${params.id}/edit`, sent),
      action: async ({ actor, params, body }) => {
        await training.updateSession(actor, params.id, sessionInput(body));
        return {
          to: `/staff/training/sessions/${params.id}`,
          notice: 'The session is saved. Any new places are offered to the waiting list.',
        };
      },
    }),
    page({
      url: '/staff/training/sessions/:id',
      access: 'training:read',
      params: withId,
      handler: async ({ actor, params }, _request, reply) => {
        const view = await training.session(actor, params.id);
        return reply.render('training/views/staff-session.njk', {
          ...view,
          when: sessionWhen(view.session),
          bookings: view.bookings?.map((b) => Object.assign({ statusText: bookingStatus(b) }, b)) ?? null,
          canManage: can(actor, 'training:manage'),
          startTime: londonTime(view.session.starts_at),
        });
      },
    }),
    form({
      url: '/staff/training/sessions/:id/cancel',
      access: 'training:manage',
      params: withId,
      body: z.object({}),
      back: ({ params }) => `/staff/training/sessions/${params.id}`,
      action: async ({ actor, params, back }) => {
        const count = await training.cancelSession(actor, params.id);
        return {
          to: back,
          notice: `The session is cancelled. ${count} booking${count === 1 ? ' was' : 's were'} cancelled and told.`,
        };
      },
    }),
    form({
      url: '/staff/training/bookings/:id/cancel',
      access: 'training:manage',
      params: withId,
      body: cancelBookingBody,
      // The page the form was on, carried in the form: its session's, else the training list.
      back: ({ sent }) => {
        const { sessionId } = cancelBookingBody.parse(sent ?? {});
        return sessionId ? `/staff/training/sessions/${sessionId}` : '/staff/training';
      },
      action: async ({ actor, params, back }) => {
        await training.cancelBooking(actor, params.id);
        return {
          to: back,
          notice: 'The booking is cancelled. A place it held is offered to the first on the waiting list.',
        };
      },
    }),
    page({
      url: '/staff/training/sessions/:id/register',
      access: 'training:read',
      params: withId,
      handler: async ({ actor, params }, _request, reply) => {
        const view = await training.register(actor, params.id);
        return reply.render('training/views/staff-register.njk', { ...view, when: sessionWhen(view.session) });
      },
    }),
    form({
      url: '/staff/training/sessions/:id/register',
      access: 'training:read',
      params: withId,
      body: registerBody,
      back: ({ params }) => `/staff/training/sessions/${params.id}/register`,
      action: async ({ actor, params, body, back }) => {
        const marks = new Map<string, Attendance>();
        for (const [key, value] of Object.entries(body)) {
          const match = /^attendance-([0-9a-f-]{36})$/.exec(key);
          if (!match?.[1]) continue;
          if (value !== 'attended' && value !== 'no-show')
            throw invalid([{ field: key, message: 'Select attended or did not attend' }]);
          marks.set(match[1], value);
        }
        const changed = await training.markAttendance(actor, params.id, marks);
        return { to: back, notice: `The register is saved (${changed} change${changed === 1 ? '' : 's'}).` };
      },
    }),
  ];
}
