import { z } from 'zod';
import { apiRoute, type ApiRoute } from '../../http/api-route.ts';
import type { Services } from '../../services.ts';
import { apiBookingBody, apiCourseBody, apiSessionBody } from './training.schemas.ts';

const courseParams = z.object({ id: z.uuid({ error: 'Must be a course id' }) });
const sessionParams = z.object({ id: z.uuid({ error: 'Must be a session id' }) });
const bookingParams = z.object({ id: z.uuid({ error: 'Must be a booking id' }) });

/** Training over the API: courses and sessions (staff), bookings (staff for anyone, an authority for its own). */
export function trainingApi(services: Services): ApiRoute[] {
  const { training } = services;
  return [
    apiRoute({
      method: 'POST',
      url: '/training/courses',
      access: 'training:manage',
      summary: 'Create a course (relationship leads, administrators)',
      description:
        'eLearning courses and workbooks need `externalUrl` and have no sessions. Published (listed on the public site) unless `published` is false.',
      tags: ['Training'],
      body: apiCourseBody,
      status: 201,
      response: z.object({ id: z.uuid() }),
      handler: async ({ actor, body }) => ({
        id: await training.createCourse(actor, {
          title: body.title,
          audiences: body.audience,
          format: body.format,
          description: body.description,
          learningOutcomes: body.learningOutcomes ?? '',
          durationMinutes: body.durationMinutes ?? null,
          pricePence: body.pricePence ?? 0,
          externalUrl: body.externalUrl ?? null,
          published: body.published ?? true,
        }),
      }),
    }),
    apiRoute({
      method: 'POST',
      url: '/training/courses/:id/sessions',
      access: 'training:manage',
      summary: 'Add a session to a course (relationship leads, administrators)',
      description:
        'Times are instants with their offset. 400 when the end is not after the start, the start has passed, booking closes after the start, or the course is eLearning or a workbook.',
      tags: ['Training'],
      params: courseParams,
      body: apiSessionBody,
      status: 201,
      response: z.object({ id: z.uuid() }),
      handler: async ({ actor, params, body }) => ({
        id: await training.createSession(actor, params.id, {
          startsAt: new Date(body.startsAt),
          endsAt: new Date(body.endsAt),
          capacity: body.capacity,
          bookingClosesAt: body.bookingClosesAt ? new Date(body.bookingClosesAt) : null,
          joiningInstructions: body.joiningInstructions ?? null,
          venue: body.venue ?? null,
          trainerId: body.trainerId ?? null,
          authorityId: body.authorityId ?? null,
          network: body.network ?? null,
        }),
      }),
    }),
    apiRoute({
      method: 'POST',
      url: '/training/sessions/:id/bookings',
      access: 'signed-in',
      summary: 'Book a place on a session',
      description:
        'A staff token (relationship lead, administrator) books for anyone; an authority’s token for its own people ' +
        '(`authorityId`, when given, must be its own: 403 otherwise). Confirmed at once while places are left, else ' +
        'waitlisted in order of booking. 409 when the session is closed, past or cancelled, or the email is already booked on it.',
      tags: ['Training'],
      params: sessionParams,
      body: apiBookingBody,
      status: 201,
      response: z.object({ id: z.uuid(), status: z.enum(['confirmed', 'waitlisted']), position: z.number().int() }),
      handler: async ({ actor, params, body }) =>
        training.book(actor, params.id, {
          name: body.name,
          email: body.email,
          organisation: body.organisation ?? null,
          jobRole: body.jobRole ?? null,
          accessibilityNeeds: body.accessibilityNeeds ?? null,
          authorityId: body.authorityId ?? null,
          purchaseOrder: body.purchaseOrder ?? null,
        }),
    }),
    apiRoute({
      method: 'DELETE',
      url: '/training/bookings/:id',
      access: 'signed-in',
      summary: 'Cancel a booking; a place it held is offered to the first on the waiting list',
      description: 'Staff tokens cancel any booking; an authority’s token its own people’s (others are not found).',
      tags: ['Training'],
      params: bookingParams,
      response: z.object({ id: z.uuid(), status: z.literal('cancelled') }),
      handler: async ({ actor, params }) => {
        await training.cancelBooking(actor, params.id);
        return { id: params.id, status: 'cancelled' as const };
      },
    }),
    apiRoute({
      method: 'GET',
      url: '/training/sessions/:id',
      access: 'signed-in',
      summary: 'Places on a session: its capacity, places confirmed and offered, and the waiting list',
      tags: ['Training'],
      params: sessionParams,
      response: z.object({
        capacity: z.number().int(),
        confirmed: z.number().int(),
        offered: z.number().int().describe('Places held for someone from the waiting list until they answer'),
        waitlisted: z.number().int(),
      }),
      handler: async ({ actor, params }) => training.sessionCounts(actor, params.id),
    }),
  ];
}
