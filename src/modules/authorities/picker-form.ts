import type { PageRoute } from '../../http/routes.ts';
import { pickerBack } from './authorities.schemas.ts';

/**
 * A form with an authority field (`AuthoritiesService.picker`), whose errors go back to its page
 * with the words it had searched for (`pickerBack`). Those words are in the form body, which
 * `form()` reads only after it has worked out where errors go back to, so `make` builds the form
 * for each request with its own `back`.
 */
export function pickerForm(page: string, make: (back: string) => PageRoute): PageRoute {
  return {
    ...make(page),
    handler: async (request, reply) => make(pickerBack(page, request.body)).handler(request, reply),
  };
}
