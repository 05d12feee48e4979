import { z } from 'zod';
import type { Logger } from '../logger.ts';

/**
 * The one shape of background work: a job, with its payload's schema and its handler, and for work
 * that recurs a schedule. Each module declares its jobs in its `*.jobs.ts`; the queue runs them all
 * with pg-boss's own workers and scheduler (see queue.ts).
 */

export interface JobContext {
  jobId: string;
  /** 0 on the first run, then 1, 2, … on retries. */
  retryCount: number;
  logger: Logger;
}

/**
 * How often a recurring job runs. Cadences pg-boss's cron can say (whole minutes dividing an hour,
 * whole hours dividing a day) are cron schedules; shorter or odd ones run again that many seconds
 * after each run starts. Either way one run at a time goes on across all workers, and one more when
 * a worker starts.
 */
export interface JobSchedule {
  everySeconds: number;
}

export interface JobDefinition<S extends z.ZodType = z.ZodType> {
  /** Queue name: letters, digits, dots, hyphens and underscores, e.g. `enquiries.reminder`. */
  name: string;
  /**
   * The payload's version (default 1). Raise it when the schema changes in a way older payloads do
   * not fit: each version has a queue of its own (`name`, then `name.v2`, …), so a worker only ever
   * takes payloads of a shape it knows, and older ones wait for the workers that know theirs.
   */
  version?: number;
  schema: S;
  handler(payload: z.output<S>, ctx: JobContext): Promise<void>;
  /** Recurring work: run on this schedule (with an empty payload) as well as whenever enqueued. */
  schedule?: JobSchedule;
  /** Retries after the first failure (default 3; 0 for scheduled jobs, whose next run comes anyway). */
  retryLimit?: number;
  /** Seconds before the first retry (default 30). */
  retryDelaySeconds?: number;
  /** Double the delay on each retry (default true). */
  retryBackoff?: boolean;
  /** How long one run may take before it counts as failed (default 15 minutes). */
  expireInSeconds?: number;
}

/** Declares a job with its payload type inferred from the schema. */
export function defineJob<S extends z.ZodType>(definition: JobDefinition<S>): JobDefinition<S> {
  return definition;
}

/** The payload of scheduled work that needs none: `schema: noPayload`. */
export const noPayload = z.object({});

/** The pg-boss queue of a job's version. */
export function queueName(job: Pick<JobDefinition, 'name' | 'version'>): string {
  const version = job.version ?? 1;
  return version > 1 ? `${job.name}.v${version}` : job.name;
}

/**
 * The cron expression for a cadence, when cron can say it exactly: a whole number of minutes that
 * divides an hour, or of hours that divides a day. Null otherwise (and under a minute).
 */
export function cronFor(everySeconds: number): string | null {
  if (everySeconds < 60 || everySeconds % 60 !== 0) return null;
  const minutes = everySeconds / 60;
  if (minutes === 1) return '* * * * *';
  if (minutes < 60) return 60 % minutes === 0 ? `*/${minutes} * * * *` : null;
  if (minutes % 60 !== 0) return null;
  const hours = minutes / 60;
  if (hours === 1) return '0 * * * *';
  if (hours < 24) return 24 % hours === 0 ? `0 */${hours} * * *` : null;
  return hours === 24 ? '0 0 * * *' : null;
}
