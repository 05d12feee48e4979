import type { Services } from '../../services.ts';
import { page } from '../../http/page-route.ts';
import type { PageRoute } from '../../http/routes.ts';

/**
 * Probes for the load balancer and the orchestrator: /healthz answers while the process is up;
 * /readyz answers 200 only when the database and the job queue both answer, else 503 naming the part.
 */
export function healthRoutes(services: Services): PageRoute[] {
  const { db } = services.platform;
  return [
    page({
      url: '/healthz',
      access: 'public',
      handler: async (_input, _request, reply) => reply.header('cache-control', 'no-store').send({ status: 'ok' }),
    }),
    page({
      url: '/readyz',
      access: 'public',
      handler: async (_input, request, reply) => {
        let database = 'ok';
        try {
          await db.query('SELECT 1');
        } catch (error) {
          request.log.warn({ err: error }, 'readiness: the database does not answer');
          database = 'unavailable';
        }
        const queue = database === 'ok' ? await services.jobs.ready() : { ok: false, problem: 'no database' };
        if (!queue.ok) request.log.warn({ problem: queue.problem }, 'readiness: the job queue is not ready');
        const ready = database === 'ok' && queue.ok;
        return reply
          .code(ready ? 200 : 503)
          .header('cache-control', 'no-store')
          .send({ status: ready ? 'ready' : 'not ready', database, queue: queue.ok ? 'ok' : 'unavailable' });
      },
    }),
  ];
}
