import { CompiledQuery, type Kysely } from 'kysely';
import PgBoss from 'pg-boss';
import type { z } from 'zod';
import type { Db, DbOrTx } from '../db/database.ts';
import type { Database } from '../db/schema.ts';
import type { Logger } from '../logger.ts';
import { cronFor, queueName, type JobDefinition } from './job.ts';

export { defineJob, noPayload, type JobContext, type JobDefinition, type JobSchedule } from './job.ts';

/**
 * The job queue: pg-boss over the application's own PostgreSQL (or the embedded PGlite). Jobs are
 * inserted in the transaction of the change that causes them, so a rolled-back change enqueues
 * nothing; payloads cross a zod schema when enqueued and again when handled.
 */

const SCHEMA = 'pgboss';

/** The singleton key of a scheduled job's next run: at most one waits at a time (the queue's policy is `short`). */
const NEXT_RUN = 'next-run';

export interface EnqueueOptions {
  /** Do not run before this instant. */
  startAfter?: Date;
  /** At most one queued job per key and job name (the later one is dropped). */
  singletonKey?: string;
  priority?: number;
}

export interface JobQueueOptions {
  db: Db;
  /** PostgreSQL: pg-boss keeps its own small pool on this server. Absent: it shares `db` (always so on PGlite). */
  databaseUrl?: string;
  pollSeconds: number;
  logger: Logger;
  /**
   * Whether this process keeps pg-boss's clock and cron schedules (default true). Only processes
   * that work jobs need them: a web or mail-in process alone only enqueues.
   */
  schedule?: boolean;
}

export interface Readiness {
  ok: boolean;
  problem?: string;
}

interface SqlRunner {
  executeSql(text: string, values?: unknown[]): Promise<{ rows: Record<string, unknown>[] }>;
}

/** pg-boss's database adapter over a Kysely instance or an open transaction (the caller's). */
function kyselyRunner(db: Kysely<Database>): SqlRunner {
  return {
    executeSql: async (text, values = []) => {
      const result = await db.executeQuery<Record<string, unknown>>(CompiledQuery.raw(text, values));
      return { rows: result.rows };
    },
  };
}

/**
 * pg-boss's adapter over our own database handle: on PGlite this is the only safe way in (through
 * the one serialised connection). `exec` for its parameterless scripts of several statements,
 * `query` for everything else.
 */
function sharedRunner(db: Db): SqlRunner {
  return {
    executeSql: async (text, values) => {
      if ((values === undefined || values.length === 0) && /;\s*\S/.test(text)) {
        await db.withSession((session) => session.exec(text));
        return { rows: [] };
      }
      return db.query(text, values ?? []);
    },
  };
}

/** The options every job of a definition is sent with. */
function sendOptions(job: JobDefinition): PgBoss.SendOptions {
  return {
    retryLimit: job.retryLimit ?? (job.schedule ? 0 : 3),
    retryDelay: job.retryDelaySeconds ?? 30,
    retryBackoff: job.retryBackoff ?? true,
    expireInSeconds: job.expireInSeconds ?? 15 * 60,
  };
}

/**
 * Runs every registered job with pg-boss's own workers (`work`), one worker per queue in each worker
 * process. Scheduled jobs are kept in queues of the `short` policy, where at most one run per
 * singleton key waits: pg-boss's cron (`schedule`) sends the runs of cadences cron can say; shorter
 * ones are sent again, `everySeconds` on, by each run as it starts (with a cron run every minute
 * behind them, should a worker die between taking a run and sending the next). Each worker process
 * also sends one run of every scheduled job when it starts.
 */
export class JobQueue {
  private readonly boss: PgBoss;
  private readonly definitions = new Map<string, JobDefinition>();
  private readonly knownQueues = new Set<string>();
  /** pg-boss worker ids by queue, in this process. */
  private readonly workers = new Map<string, string>();
  /** Wake-ups of this process's workers when a scheduled job's next run falls due. */
  private readonly timers = new Set<NodeJS.Timeout>();
  private state: 'idle' | 'starting' | 'started' | 'stopping' | 'stopped' = 'idle';
  private working = false;
  private startError: string | null = null;

  constructor(private readonly options: JobQueueOptions) {
    const common = {
      schema: SCHEMA,
      migrate: true,
      supervise: true,
      schedule: options.schedule ?? true,
      pollingIntervalSeconds: options.pollSeconds,
    };
    this.boss = options.databaseUrl
      ? new PgBoss({ ...common, connectionString: options.databaseUrl, max: 3, application_name: 'liaison-jobs' })
      : new PgBoss({ ...common, db: sharedRunner(options.db) });
    this.boss.on('error', (error: unknown) => options.logger.error({ err: error }, 'job queue error'));
  }

  /** Adds job definitions; the worker handles every registered job, and runs the scheduled ones. */
  register(...jobs: JobDefinition[]): this {
    for (const job of jobs) {
      if (!/^[\w.-]+$/.test(job.name)) throw new Error(`Job name must be letters, digits, dots, hyphens: ${job.name}`);
      const name = queueName(job);
      if (this.definitions.has(name)) throw new Error(`Job ${name} is registered twice`);
      if (job.schedule && !(job.schedule.everySeconds >= 1))
        throw new Error(`Job ${name} must be scheduled at least a second apart`);
      this.definitions.set(name, job);
    }
    return this;
  }

  /**
   * Inserts a job with `db`: pass the transaction of the change that causes it, so both commit or
   * neither does. Returns the job id, or null when a job with the same singleton key is already queued.
   */
  async enqueue<S extends z.ZodType>(
    db: DbOrTx,
    job: JobDefinition<S>,
    payload: z.input<S>,
    options: EnqueueOptions = {},
  ): Promise<string | null> {
    const data = job.schema.parse(payload) as object;
    const runner = kyselyRunner(db);
    const name = queueName(job);
    await this.ensureQueue(runner, name, job.schedule ? 'short' : 'standard');
    const id = await this.boss.send(name, data, {
      db: runner,
      ...sendOptions(job),
      ...(options.startAfter ? { startAfter: options.startAfter } : {}),
      ...(options.singletonKey ? { singletonKey: options.singletonKey } : {}),
      ...(options.priority !== undefined ? { priority: options.priority } : {}),
    });
    // Outside a transaction the job is visible at once: wake the worker if it lives in this process.
    if (!db.isTransaction) this.wake(job.name);
    return id;
  }

  /** Makes sure the queue exists, in the caller's transaction when it is new. */
  private async ensureQueue(runner: SqlRunner, name: string, policy: PgBoss.QueuePolicy): Promise<void> {
    if (this.knownQueues.has(name)) return;
    const found = await runner.executeSql(`SELECT 1 FROM ${SCHEMA}.queue WHERE name = $1`, [name]);
    if (found.rows.length > 0) {
      this.knownQueues.add(name);
      return;
    }
    await runner.executeSql(`SELECT ${SCHEMA}.create_queue($1, $2)`, [name, JSON.stringify({ policy })]);
  }

  /**
   * Creates a queue unless it exists. Processes started together (web, workers, mail-in) create the
   * same queues at the same moment, and PostgreSQL may end one of them as a deadlock (40P01): that
   * one is tried again, after a short random wait, a few times. The same goes for a schedule.
   */
  private async retryDeadlock(step: () => Promise<void>): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await step();
        return;
      } catch (error) {
        const code = error instanceof Error && 'code' in error ? error.code : undefined;
        if (code !== '40P01' || attempt >= 5) throw error;
        await new Promise((resolve) => setTimeout(resolve, attempt * 200 + Math.random() * 300));
      }
    }
  }

  /** Runs waiting jobs of one job (by name), or of all, in this process now rather than at the next poll. */
  wake(name?: string): void {
    for (const [queue, workerId] of this.workers) {
      const job = this.definitions.get(queue);
      if (name === undefined || job?.name === name) this.boss.notifyWorker(workerId);
    }
  }

  /**
   * Starts the queue: checks its tables, runs maintenance (expiring runs that took too long) and the
   * scheduler, and with `work: true` handles registered jobs until stop(), first sending a run of
   * each scheduled job.
   */
  async start(options: { work: boolean }): Promise<void> {
    if (this.state !== 'idle') throw new Error('The job queue has already been started');
    this.state = 'starting';
    try {
      await this.boss.start();
      for (const [name, job] of this.definitions) {
        await this.retryDeadlock(() =>
          this.boss.createQueue(name, { name, policy: job.schedule ? 'short' : 'standard' }),
        );
        this.knownQueues.add(name);
      }
      if (options.work) {
        // A schedule no job of this version declares any more (a job renamed or removed) is ended.
        for (const schedule of await this.boss.getSchedules()) {
          if (!this.definitions.get(schedule.name)?.schedule) await this.boss.unschedule(schedule.name);
        }
        for (const [name, job] of this.definitions) {
          if (!job.schedule) continue;
          const cron = cronFor(job.schedule.everySeconds) ?? '* * * * *';
          const scheduled = { ...sendOptions(job), singletonKey: NEXT_RUN };
          await this.retryDeadlock(() => this.boss.schedule(name, cron, {}, scheduled));
        }
        for (const [name, job] of this.definitions) {
          const workerId = await this.boss.work<unknown>(
            name,
            { batchSize: 1, includeMetadata: true, pollingIntervalSeconds: this.options.pollSeconds },
            async ([row]) => {
              if (row) await this.runJob(name, job, row);
            },
          );
          this.workers.set(name, workerId);
        }
        for (const [name, job] of this.definitions) {
          if (job.schedule) await this.boss.send(name, {}, { ...sendOptions(job), singletonKey: NEXT_RUN });
        }
      }
    } catch (error) {
      this.startError = error instanceof Error ? error.message : String(error);
      this.state = 'stopped';
      await this.boss.stop({ graceful: false, close: true }).catch(() => undefined);
      throw error;
    }
    this.state = 'started';
    this.working = options.work;
    if (options.work) this.wake();
  }

  /** Stops taking work, waits for jobs in progress to finish, then stops pg-boss. */
  async stop(): Promise<void> {
    if (this.state === 'idle') {
      this.state = 'stopped';
      return;
    }
    if (this.state !== 'started') return;
    this.state = 'stopping';
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    // A run may take as long as its expiry allows; pg-boss waits for runs in progress until then.
    const longest = Math.max(15 * 60, ...[...this.definitions.values()].map((j) => j.expireInSeconds ?? 0));
    await this.boss.stop({ graceful: true, wait: true, close: true, timeout: longest * 1000 });
    this.workers.clear();
    this.state = 'stopped';
  }

  /** For /readyz: the queue's tables answer, and the queue is running if it was started. */
  async ready(): Promise<Readiness> {
    if (this.startError) return { ok: false, problem: `the job queue failed to start: ${this.startError}` };
    if (this.state === 'stopping' || this.state === 'stopped')
      return { ok: false, problem: 'the job queue is stopping' };
    try {
      const { rows } = await this.options.db.query<{ version: number }>(`SELECT version FROM ${SCHEMA}.version`);
      if (rows.length === 0) return { ok: false, problem: 'the job queue has no schema version' };
      return { ok: true };
    } catch (error) {
      return { ok: false, problem: `the job queue tables do not answer: ${(error as Error).message}` };
    }
  }

  /** True while the worker is handling jobs. */
  get isWorking(): boolean {
    return this.working && this.state === 'started';
  }

  /**
   * One run, called by pg-boss's worker. A scheduled job whose cadence cron cannot say first sends
   * its next run (so a worker dying mid-run does not end the chain). A failure is thrown back to
   * pg-boss, which records it and retries as the job was sent.
   */
  private async runJob(name: string, job: JobDefinition, row: PgBoss.JobWithMetadata<unknown>): Promise<void> {
    const logger = this.options.logger.child({ job: job.name, jobId: row.id, retryCount: row.retryCount });
    const every = job.schedule?.everySeconds;
    if (every !== undefined && cronFor(every) === null && this.state === 'started') {
      try {
        await this.boss.send(name, {}, { ...sendOptions(job), singletonKey: NEXT_RUN, startAfter: every });
        this.wakeLater(name, every);
      } catch (error) {
        logger.error({ err: error }, 'could not send the next run of a scheduled job');
      }
    }
    try {
      const payload: unknown = job.schema.parse(row.data);
      await job.handler(payload, { jobId: row.id, retryCount: row.retryCount, logger });
    } catch (error) {
      logger.warn({ err: error }, 'job failed');
      throw error;
    }
  }

  /** Wakes this process's worker of a queue when its next run falls due, rather than a poll later. */
  private wakeLater(name: string, seconds: number): void {
    const timer = setTimeout(
      () => {
        this.timers.delete(timer);
        const workerId = this.workers.get(name);
        if (workerId && this.state === 'started') this.boss.notifyWorker(workerId);
      },
      seconds * 1000 + 50,
    );
    timer.unref();
    this.timers.add(timer);
  }
}
