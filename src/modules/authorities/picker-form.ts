import type { z } from 'zod';
import { form, type FormSpec } from '../../http/page-route.ts';
import type { Access, PageRoute } from '../../http/routes.ts';
import { pickerBack } from './authorities.schemas.ts';

type NoParams = z.ZodObject<Record<string, never>>;

/**
 * A form with an authority field (`AuthoritiesService.picker`), whose errors go back to its page
 * with the words it had searched for (`pickerBack`). Those words are in the form body, which
 * `form()` reads only after it has worked out where errors go back to, so the route is made for
 * each request with its own `back`.
 */
export function pickerForm<A extends Access, P extends z.ZodType = NoParams, B extends z.ZodType = NoParams>(
  spec: Omit<FormSpec<A, P, B>, 'back'> & { back: string },
): PageRoute {
  const route = form<A, P, B>(spec);
  return {
    ...route,
    handler: async (request, reply) =>
      form<A, P, B>({ ...spec, back: pickerBack(spec.back, request.body) }).handler(request, reply),
  };
}
