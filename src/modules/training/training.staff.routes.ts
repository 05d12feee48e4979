import { z } from 'zod';
import { form, page, withId } from '../../http/page-route.ts';
import type { PageRoute } from '../../http/routes.ts';
import { renderMarkdown } from '../../platform/markdown/markdown.ts';
import type { Services } from '../../services.ts';
import { can } from '../accounts/domain.ts';
import { AUDIENCES, AUDIENCE_NAMES, FORMATS, FORMAT_NAMES, isBookable } from './domain.ts';
import { courseForm, courseInput } from './training.schemas.ts';
import { courseFacts, sessionWhen } from './training.views.ts';
import type { CourseRow } from './training.repository.ts';

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

const courseFormContext = (values: Record<string, unknown>) => {
  const chosen = Array.isArray(values.audiences) ? values.audiences : [values.audiences];
  return {
    values,
    audienceItems: AUDIENCES.map((a) => ({ value: a, text: AUDIENCE_NAMES[a], checked: chosen.includes(a) })),
    formatItems: FORMATS.map((f) => ({ value: f, text: FORMAT_NAMES[f], checked: values.format === f })),
  };
};

/** Staff pages: the training list, courses (relationship lead), authorities to invite, the finance export. */
export function trainingStaffRoutes(services: Services): PageRoute[] {
  const { training } = services;

  return [
    page({
      url: '/staff/training',
      access: 'training:read',
      handler: async ({ actor }, _request, reply) => {
        const [courses, mine] = await Promise.all([training.courses(actor), training.mySessions(actor)]);
        return reply.render('training/views/staff-list.njk', {
          courses: courses.map((c) => Object.assign({ facts: courseFacts(c) }, c)),
          mine: mine.map((s) => Object.assign({ when: sessionWhen(s) }, s)),
          canManage: can(actor, 'training:manage'),
        });
      },
    }),
    page({
      url: '/staff/training/courses/new',
      access: 'training:manage',
      handler: async (_input, request, reply) =>
        reply.render('training/views/staff-course-form.njk', {
          ...courseFormContext(courseValues(request.flash.values, null)),
          heading: 'Create a course',
          action: '/staff/training/courses',
          back: '/staff/training',
        }),
    }),
    form({
      url: '/staff/training/courses',
      access: 'training:manage',
      body: courseForm,
      back: '/staff/training/courses/new',
      action: async ({ actor, body }) => {
        const id = await training.createCourse(actor, courseInput(body));
        return { to: `/staff/training/courses/${id}`, notice: `The course ‘${body.title}’ is created.` };
      },
    }),
    page({
      url: '/staff/training/courses/:id',
      access: 'training:read',
      params: withId,
      handler: async ({ actor, params: { id } }, _request, reply) => {
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
    }),
    page({
      url: '/staff/training/courses/:id/edit',
      access: 'training:manage',
      params: withId,
      handler: async ({ actor, params }, request, reply) => {
        const course = await training.course(actor, params.id);
        return reply.render('training/views/staff-course-form.njk', {
          ...courseFormContext(courseValues(request.flash.values, course)),
          heading: `Change ‘${course.title}’`,
          action: `/staff/training/courses/${course.id}`,
          back: `/staff/training/courses/${course.id}`,
        });
      },
    }),
    form({
      url: '/staff/training/courses/:id',
      access: 'training:manage',
      params: withId,
      body: courseForm,
      back: ({ params }) => `/staff/training/courses/${params.id}/edit`,
      action: async ({ actor, params, body }) => {
        await training.updateCourse(actor, params.id, courseInput(body));
        return { to: `/staff/training/courses/${params.id}`, notice: 'The course is saved.' };
      },
    }),
    page({
      url: '/staff/training/invite',
      access: 'training:manage',
      handler: async ({ actor }, _request, reply) => {
        const rows = await training.authoritiesToInvite(actor);
        return reply.render('training/views/staff-invite.njk', { rows });
      },
    }),
    page({
      url: '/staff/training/finance.csv',
      access: 'training:manage',
      query: financeQuery,
      handler: async ({ actor, query: { month } }, _request, reply) => {
        const today = services.calendar.londonDate(services.platform.clock.now());
        const chosen = month ?? today.slice(0, 7);
        const [year, mon] = chosen.split('-').map(Number) as [number, number];
        const from = new Date(Date.UTC(year, mon - 1, 1));
        const to = new Date(Date.UTC(year, mon, 1));
        const csv = await training.financeCsv(actor, from, to);
        return reply
          .header('content-type', 'text/csv; charset=utf-8')
          .header('content-disposition', `attachment; filename="training-invoices-${chosen}.csv"`)
          .header('cache-control', 'no-store')
          .send(`\uFEFF${csv}`);
      },
    }),
  ];
}
