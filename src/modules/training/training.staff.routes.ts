import { z } from 'zod';
import { handleForm, parseForm } from '../../http/forms.ts';
import { actorOf, idParam, type PageRoute } from '../../http/routes.ts';
import { invalid } from '../../platform/errors.ts';
import { renderMarkdown } from '../../platform/markdown/markdown.ts';
import type { Services } from '../../services.ts';
import { can } from '../accounts/domain.ts';
import { pickerBack, pickerQuery } from '../authorities/authorities.schemas.ts';
import type { Attendance } from './attendance.ts';
import { AUDIENCES, AUDIENCE_NAMES, FORMATS, FORMAT_NAMES, isBookable, londonTime } from './domain.ts';
import { courseForm, courseInput, sessionForm, sessionInput } from './training.schemas.ts';
import { bookingStatus, courseFacts, sessionWhen } from './training.views.ts';
import type { CourseRow, SessionRow } from './training.repository.ts';
import { londonDate } from '../../platform/calendar/calendar.ts';

const financeQuery = z.object({
  month: z
    .string()
    .regex(/^\d{4}-(0[1-9]|1[0-2])$/)
    .optional()
    .catch(undefined),
});

/** The course form's values: what was typed after an error, else the course as it is. */
function courseValues(kept: Record<string, unknown> | undefined, course: CourseRow | null) {
  if (kept && Object.keys(kept).length > 0) return kept;
  if (!course) return { published: 'yes' };
  return {
    title: course.title,
    audiences: course.audiences,
    format: course.format,
    description: course.description,
    learningOutcomes: course.learning_outcomes,
    durationMinutes: course.duration_minutes === null ? '' : String(course.duration_minutes),
    price: course.price_pence === 0 ? '0' : (course.price_pence / 100).toFixed(2),
    externalUrl: course.external_url ?? '',
    published: course.published ? 'yes' : 'no',
  };
}

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

const courseFormContext = (values: Record<string, unknown>) => {
  const chosen = Array.isArray(values.audiences) ? values.audiences : [values.audiences];
  return {
    values,
    audienceItems: AUDIENCES.map((a) => ({ value: a, text: AUDIENCE_NAMES[a], checked: chosen.includes(a) })),
    formatItems: FORMATS.map((f) => ({ value: f, text: FORMAT_NAMES[f], checked: values.format === f })),
  };
};

/** Staff pages: courses and sessions (relationship lead), registers (trainers), reports. */
export function trainingStaffRoutes(services: Services): PageRoute[] {
  const { training, authorities } = services;

  return [
    {
      method: 'GET',
      url: '/staff/training',
      access: 'training:read',
      handler: async (request, reply) => {
        const actor = actorOf(request);
        const [courses, mine] = await Promise.all([training.courses(actor), training.mySessions(actor)]);
        return reply.render('training/views/staff-list.njk', {
          courses: courses.map((c) => Object.assign({ facts: courseFacts(c) }, c)),
          mine: mine.map((s) => Object.assign({ when: sessionWhen(s) }, s)),
          canManage: can(actor, 'training:manage'),
        });
      },
    },
    {
      method: 'GET',
      url: '/staff/training/courses/new',
      access: 'training:manage',
      handler: async (request, reply) =>
        reply.render('training/views/staff-course-form.njk', {
          ...courseFormContext(courseValues(request.flash.values, null)),
          heading: 'Create a course',
          action: '/staff/training/courses',
          back: '/staff/training',
        }),
    },
    {
      method: 'POST',
      url: '/staff/training/courses',
      access: 'training:manage',
      handler: async (request, reply) =>
        handleForm(request, reply, '/staff/training/courses/new', async () => {
          const form = parseForm(courseForm, request.body);
          const id = await training.createCourse(actorOf(request), courseInput(form));
          reply.setFlash({ notice: `The course ‘${form.title}’ is created.` });
          return `/staff/training/courses/${id}`;
        }),
    },
    {
      method: 'GET',
      url: '/staff/training/courses/:id',
      access: 'training:read',
      handler: async (request, reply) => {
        const actor = actorOf(request);
        const id = idParam(request);
        const course = await training.course(actor, id);
        const [sessions, feedback] = await Promise.all([
          training.sessionsOfCourse(actor, id),
          training.courseFeedback(actor, id),
        ]);
        return reply.render('training/views/staff-course.njk', {
          course,
          facts: courseFacts(course),
          bookable: isBookable(course.format),
          descriptionHtml: renderMarkdown(course.description).html,
          sessions: sessions.map((s) => Object.assign({ when: sessionWhen(s) }, s)),
          feedback,
          canManage: can(actor, 'training:manage'),
        });
      },
    },
    {
      method: 'GET',
      url: '/staff/training/courses/:id/edit',
      access: 'training:manage',
      handler: async (request, reply) => {
        const course = await training.course(actorOf(request), idParam(request));
        return reply.render('training/views/staff-course-form.njk', {
          ...courseFormContext(courseValues(request.flash.values, course)),
          heading: `Change ‘${course.title}’`,
          action: `/staff/training/courses/${course.id}`,
          back: `/staff/training/courses/${course.id}`,
        });
      },
    },
    {
      method: 'POST',
      url: '/staff/training/courses/:id',
      access: 'training:manage',
      handler: async (request, reply) => {
        const id = idParam(request);
        return handleForm(request, reply, `/staff/training/courses/${id}/edit`, async () => {
          const form = parseForm(courseForm, request.body);
          await training.updateCourse(actorOf(request), id, courseInput(form));
          reply.setFlash({ notice: 'The course is saved.' });
          return `/staff/training/courses/${id}`;
        });
      },
    },
    {
      method: 'GET',
      url: '/staff/training/courses/:id/sessions/new',
      access: 'training:manage',
      handler: async (request, reply) => {
        const actor = actorOf(request);
        const course = await training.course(actor, idParam(request));
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
          picker: await authorities.picker(pickerQuery.parse(request.query ?? {}).q, chosen),
          pickerAction: `/staff/training/courses/${course.id}/sessions/new`,
        });
      },
    },
    {
      method: 'POST',
      url: '/staff/training/courses/:id/sessions',
      access: 'training:manage',
      handler: async (request, reply) => {
        const id = idParam(request);
        return handleForm(
          request,
          reply,
          pickerBack(`/staff/training/courses/${id}/sessions/new`, request.body),
          async () => {
            const form = parseForm(sessionForm, request.body);
            const sessionId = await training.createSession(actorOf(request), id, sessionInput(request.body, form));
            reply.setFlash({ notice: 'The session is added.' });
            return `/staff/training/sessions/${sessionId}`;
          },
        );
      },
    },
    {
      method: 'GET',
      url: '/staff/training/sessions/:id/edit',
      access: 'training:manage',
      handler: async (request, reply) => {
        const actor = actorOf(request);
        const { session } = await training.session(actor, idParam(request));
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
          picker: await authorities.picker(pickerQuery.parse(request.query ?? {}).q, chosen),
          pickerAction: `/staff/training/sessions/${session.id}/edit`,
        });
      },
    },
    {
      method: 'POST',
      url: '/staff/training/sessions/:id',
      access: 'training:manage',
      handler: async (request, reply) => {
        const id = idParam(request);
        return handleForm(request, reply, pickerBack(`/staff/training/sessions/${id}/edit`, request.body), async () => {
          const form = parseForm(sessionForm, request.body);
          await training.updateSession(actorOf(request), id, sessionInput(request.body, form));
          reply.setFlash({ notice: 'The session is saved. Any new places are offered to the waiting list.' });
          return `/staff/training/sessions/${id}`;
        });
      },
    },
    {
      method: 'GET',
      url: '/staff/training/sessions/:id',
      access: 'training:read',
      handler: async (request, reply) => {
        const actor = actorOf(request);
        const view = await training.session(actor, idParam(request));
        return reply.render('training/views/staff-session.njk', {
          ...view,
          when: sessionWhen(view.session),
          bookings: view.bookings?.map((b) => Object.assign({ statusText: bookingStatus(b) }, b)) ?? null,
          canManage: can(actor, 'training:manage'),
          startTime: londonTime(view.session.starts_at),
        });
      },
    },
    {
      method: 'POST',
      url: '/staff/training/sessions/:id/cancel',
      access: 'training:manage',
      handler: async (request, reply) => {
        const id = idParam(request);
        return handleForm(request, reply, `/staff/training/sessions/${id}`, async () => {
          const count = await training.cancelSession(actorOf(request), id);
          reply.setFlash({
            notice: `The session is cancelled. ${count} booking${count === 1 ? ' was' : 's were'} cancelled and told.`,
          });
          return `/staff/training/sessions/${id}`;
        });
      },
    },
    {
      method: 'POST',
      url: '/staff/training/bookings/:id/cancel',
      access: 'training:manage',
      handler: async (request, reply) => {
        const id = idParam(request);
        const { sessionId } = cancelBookingBody.parse(request.body ?? {});
        const back = sessionId ? `/staff/training/sessions/${sessionId}` : '/staff/training';
        return handleForm(request, reply, back, async () => {
          await training.cancelBooking(actorOf(request), id);
          reply.setFlash({
            notice: 'The booking is cancelled. A place it held is offered to the first on the waiting list.',
          });
          return back;
        });
      },
    },
    {
      method: 'GET',
      url: '/staff/training/sessions/:id/register',
      access: 'training:read',
      handler: async (request, reply) => {
        const view = await training.register(actorOf(request), idParam(request));
        return reply.render('training/views/staff-register.njk', { ...view, when: sessionWhen(view.session) });
      },
    },
    {
      method: 'POST',
      url: '/staff/training/sessions/:id/register',
      access: 'training:read',
      handler: async (request, reply) => {
        const id = idParam(request);
        return handleForm(request, reply, `/staff/training/sessions/${id}/register`, async () => {
          const marks = new Map<string, Attendance>();
          for (const [key, value] of Object.entries(registerBody.parse(request.body ?? {}))) {
            const match = /^attendance-([0-9a-f-]{36})$/.exec(key);
            if (!match?.[1]) continue;
            if (value !== 'attended' && value !== 'no-show')
              throw invalid([{ field: key, message: 'Select attended or did not attend' }]);
            marks.set(match[1], value);
          }
          const changed = await training.markAttendance(actorOf(request), id, marks);
          reply.setFlash({ notice: `The register is saved (${changed} change${changed === 1 ? '' : 's'}).` });
          return `/staff/training/sessions/${id}/register`;
        });
      },
    },
    {
      method: 'GET',
      url: '/staff/training/invite',
      access: 'training:manage',
      handler: async (request, reply) => {
        const rows = await training.authoritiesToInvite(actorOf(request));
        return reply.render('training/views/staff-invite.njk', { rows });
      },
    },
    {
      method: 'GET',
      url: '/staff/training/finance.csv',
      access: 'training:manage',
      handler: async (request, reply) => {
        const { month } = financeQuery.parse(request.query ?? {});
        const today = services.calendar.londonDate(services.platform.clock.now());
        const chosen = month ?? today.slice(0, 7);
        const [year, mon] = chosen.split('-').map(Number) as [number, number];
        const from = new Date(Date.UTC(year, mon - 1, 1));
        const to = new Date(Date.UTC(year, mon, 1));
        const csv = await training.financeCsv(actorOf(request), from, to);
        return reply
          .header('content-type', 'text/csv; charset=utf-8')
          .header('content-disposition', `attachment; filename="training-invoices-${chosen}.csv"`)
          .header('cache-control', 'no-store')
          .send(`\uFEFF${csv}`);
      },
    },
  ];
}
