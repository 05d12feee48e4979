import { invalid, notFound } from '../../platform/errors.ts';
import type { Actor } from '../accounts/domain.ts';
import { auditBy, needs, type TrainingContext } from './context.ts';
import { isBookable, type TrainingAudience, type TrainingFormat } from './domain.ts';
import type { CourseFilter, CourseRow, SessionWithCounts } from './training.repository.ts';

export interface CourseInput {
  title: string;
  audiences: TrainingAudience[];
  format: TrainingFormat;
  description: string;
  learningOutcomes: string;
  durationMinutes: number | null;
  pricePence: number;
  externalUrl: string | null;
  published: boolean;
}

export interface PublicCourse {
  course: CourseRow;
  sessions: (SessionWithCounts & { placesLeft: number })[];
}

function checkCourse(input: CourseInput): void {
  if (!isBookable(input.format) && !input.externalUrl)
    throw invalid([
      {
        field: 'externalUrl',
        message:
          input.format === 'elearning'
            ? 'Enter the address of the eLearning course'
            : 'Enter the address the workbook is downloaded from',
      },
    ]);
}

const columns = (input: CourseInput) => ({
  title: input.title,
  audiences: input.audiences,
  format: input.format,
  description: input.description,
  learning_outcomes: input.learningOutcomes,
  duration_minutes: input.durationMinutes,
  price_pence: input.pricePence,
  external_url: isBookable(input.format) ? null : input.externalUrl,
  published: input.published,
});

export async function createCourse(ctx: TrainingContext, actor: Actor, input: CourseInput): Promise<string> {
  needs(actor, 'training:manage');
  checkCourse(input);
  return ctx.repo.transaction(async (repo) => {
    const id = await repo.insertCourse({ ...columns(input), created_by: actor.type === 'user' ? actor.id : null });
    await repo.audit({
      actor: auditBy(actor),
      action: 'training-course.created',
      recordType: 'training-course',
      recordId: id,
    });
    return id;
  });
}

export async function updateCourse(ctx: TrainingContext, actor: Actor, id: string, input: CourseInput): Promise<void> {
  needs(actor, 'training:manage');
  checkCourse(input);
  await ctx.repo.transaction(async (repo) => {
    const existing = await repo.findCourse(id);
    if (!existing) throw notFound('The course');
    if (existing.format !== input.format && isBookable(existing.format) !== isBookable(input.format)) {
      const sessions = await repo.sessionsOfCourse(id);
      if (sessions.length > 0)
        throw invalid([{ field: 'format', message: 'A course with sessions cannot become one that has none' }]);
    }
    await repo.updateCourse(id, { ...columns(input), updated_at: ctx.clock.now() });
    await repo.audit({
      actor: auditBy(actor),
      action: 'training-course.changed',
      recordType: 'training-course',
      recordId: id,
    });
  });
}

/** A course as staff see it, published or not. */
export async function courseForStaff(ctx: TrainingContext, actor: Actor, id: string): Promise<CourseRow> {
  needs(actor, 'training:read');
  const course = await ctx.repo.findCourse(id);
  if (!course) throw notFound('The course');
  return course;
}

export async function allCourses(ctx: TrainingContext, actor: Actor): Promise<CourseRow[]> {
  needs(actor, 'training:read');
  return ctx.repo.allCourses();
}

const withPlaces = (s: SessionWithCounts) =>
  Object.assign({ placesLeft: Math.max(0, s.capacity - s.confirmed - s.offered) }, s);

/** The public list: published courses with their sessions still to come, open to everyone. */
export async function publishedCourses(
  ctx: TrainingContext,
  filter: CourseFilter,
  authorityId: string | null = null,
): Promise<PublicCourse[]> {
  const courses = await ctx.repo.publishedCourses(filter);
  const sessions = await ctx.repo.upcomingSessions(
    courses.filter((c) => isBookable(c.format)).map((c) => c.id),
    ctx.clock.now(),
    authorityId,
  );
  const byCourse = new Map<string, (SessionWithCounts & { placesLeft: number })[]>();
  for (const s of sessions) {
    const list = byCourse.get(s.course_id) ?? [];
    list.push(withPlaces(s));
    byCourse.set(s.course_id, list);
  }
  return courses.map((course) => ({ course, sessions: byCourse.get(course.id) ?? [] }));
}

/** A published course's public page. */
export async function publishedCourse(
  ctx: TrainingContext,
  id: string,
  authorityId: string | null = null,
): Promise<PublicCourse> {
  const course = await ctx.repo.findCourse(id);
  if (!course || !course.published) throw notFound('The course');
  const sessions = isBookable(course.format) ? await ctx.repo.upcomingSessions([id], ctx.clock.now(), authorityId) : [];
  return { course, sessions: sessions.map(withPlaces) };
}
