import { CompiledQuery, type Kysely } from 'kysely';
import PgBoss from 'pg-boss';
import type { z } from 'zod';
import type { Db, DbOrTx } from '../db/database.ts';
import type { Database } from '../db/schema.ts';
import type { Logger } from '../logger.ts';

/**
 * The job queue: pg-boss over the application's own PostgreSQL (or the embedded PGlite). Jobs are
 * inserted in the transaction of the change that causes them, so a rolled-back change enqueues
 * nothing; payloads cross a zod schema when enqueued and again when handled.
 */

const SCHEMA = 'pgboss';

export interface JobContext {
  jobId: string;
  /** 0 on the first run, then 1, 2, … on retries. */
  retryCount: number;
  logger: Logger;
}

export interface JobDefinition<S extends z.ZodType = z.ZodType> {
  /** Queue name: letters, digits, dots, hyphens and underscores, e.g. `enquiries.reminder`. */
  name: string;
  schema: S;
  handler(payload: z.output<S>, ctx: JobContext): Promise<void>;
  /** Retries after the first failure (default 3). */
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

/** Work the worker does every few seconds, on every worker process (so it must be safe to run concurrently). */
export interface PeriodicTask {
  name: string;
  everySeconds: number;
  run(logger: Logger): Promise<void>;
}

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

class Sleeper {
  private wakeUp: (() => void) | null = null;
  private timer: NodeJS.Timeout | null = null;

  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      this.wakeUp = resolve;
      this.timer = setTimeout(resolve, ms);
    });
  }

  wake(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const wake = this.wakeUp;
    this.wakeUp = null;
    wake?.();
  }
}

export class JobQueue {
  private readonly boss: PgBoss;
  private readonly definitions = new Map<string, JobDefinition>();
  private readonly tasks: PeriodicTask[] = [];
  private readonly knownQueues = new Set<string>();
  private readonly sleepers = new Map<string, Sleeper>();
  private readonly loops: Promise<void>[] = [];
  private state: 'idle' | 'starting' | 'started' | 'stopping' | 'stopped' = 'idle';
  private working = false;
  private startError: string | null = null;

  constructor(private readonly options: JobQueueOptions) {
    const common = {
      schema: SCHEMA,
      migrate: true,
      supervise: true,
      schedule: false,
      pollingIntervalSeconds: options.pollSeconds,
    };
    this.boss = options.databaseUrl
      ? new PgBoss({ ...common, connectionString: options.databaseUrl, max: 3, application_name: 'liaison-jobs' })
      : new PgBoss({ ...common, db: sharedRunner(options.db) });
    this.boss.on('error', (error: unknown) => options.logger.error({ err: error }, 'job queue error'));
  }

  /** Adds job definitions; the worker handles every registered job. */
  register(...jobs: JobDefinition[]): this {
    for (const job of jobs) {
      if (!/^[\w.-]+$/.test(job.name)) throw new Error(`Job name must be letters, digits, dots, hyphens: ${job.name}`);
      if (this.definitions.has(job.name)) throw new Error(`Job ${job.name} is registered twice`);
      this.definitions.set(job.name, job);
    }
    return this;
  }

  /** Adds a periodic task the worker runs every few seconds. */
  every(task: PeriodicTask): this {
    this.tasks.push(task);
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
    await this.ensureQueue(runner, job.name);
    const id = await this.boss.send(job.name, data, {
      db: runner,
      retryLimit: job.retryLimit ?? 3,
      retryDelay: job.retryDelaySeconds ?? 30,
      retryBackoff: job.retryBackoff ?? true,
      expireInSeconds: job.expireInSeconds ?? 15 * 60,
      ...(options.startAfter ? { startAfter: options.startAfter } : {}),
      ...(options.singletonKey ? { singletonKey: options.singletonKey } : {}),
      ...(options.priority !== undefined ? { priority: options.priority } : {}),
    });
    // Outside a transaction the job is visible at once: wake the worker if it lives in this process.
    if (!db.isTransaction) this.wake(job.name);
    return id;
  }

  /** Makes sure the queue exists, in the caller's transaction when it is new. */
  private async ensureQueue(runner: SqlRunner, name: string): Promise<void> {
    if (this.knownQueues.has(name)) return;
    const found = await runner.executeSql(`SELECT 1 FROM ${SCHEMA}.queue WHERE name = $1`, [name]);
    if (found.rows.length > 0) {
      this.knownQueues.add(name);
      return;
    }
    await runner.executeSql(`SELECT ${SCHEMA}.create_queue($1, $2)`, [name, JSON.stringify({ policy: 'standard' })]);
  }

  /**
   * Creates a queue unless it exists. Processes started together (web, workers, mail-in) create the
   * same queues at the same moment, and PostgreSQL may end one of them as a deadlock (40P01): that
   * one is tried again, after a short random wait, a few times.
   */
  private async createQueue(name: string): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await this.boss.createQueue(name, { name, policy: 'standard' });
        return;
      } catch (error) {
        const code = error instanceof Error && 'code' in error ? error.code : undefined;
        if (code !== '40P01' || attempt >= 5) throw error;
        await new Promise((resolve) => setTimeout(resolve, attempt * 200 + Math.random() * 300));
      }
    }
  }

  /** Runs waiting jobs (and periodic tasks) now rather than at the next poll. */
  wake(name?: string): void {
    if (name === undefined) for (const s of this.sleepers.values()) s.wake();
    else this.sleepers.get(name)?.wake();
  }

  /**
   * Starts the queue: checks its tables, runs maintenance (expiring runs that took too long), and
   * with `work: true` handles registered jobs and periodic tasks until stop().
   */
  async start(options: { work: boolean }): Promise<void> {
    if (this.state !== 'idle') throw new Error('The job queue has already been started');
    this.state = 'starting';
    try {
      await this.boss.start();
      for (const name of this.definitions.keys()) {
        await this.createQueue(name);
        this.knownQueues.add(name);
      }
    } catch (error) {
      this.startError = error instanceof Error ? error.message : String(error);
      this.state = 'stopped';
      throw error;
    }
    this.state = 'started';
    if (!options.work) return;
    this.working = true;
    for (const job of this.definitions.values()) this.loops.push(this.jobLoop(job));
    for (const task of this.tasks) this.loops.push(this.taskLoop(task));
  }

  /** Stops taking work, waits for jobs and tasks in progress to finish, then stops pg-boss. */
  async stop(): Promise<void> {
    if (this.state === 'idle') {
      this.state = 'stopped';
      return;
    }
    if (this.state !== 'started') return;
    this.state = 'stopping';
    this.wake();
    await Promise.all(this.loops);
    await this.boss.stop({ graceful: true, wait: true, close: true, timeout: 1000 });
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

  private sleeper(name: string): Sleeper {
    let s = this.sleepers.get(name);
    if (!s) {
      s = new Sleeper();
      this.sleepers.set(name, s);
    }
    return s;
  }

  private async jobLoop(job: JobDefinition): Promise<void> {
    const sleeper = this.sleeper(job.name);
    while (this.state === 'started') {
      let fetched: PgBoss.JobWithMetadata<unknown>[] = [];
      try {
        fetched = await this.boss.fetch<unknown>(job.name, { batchSize: 1, includeMetadata: true });
      } catch (error) {
        this.options.logger.error({ err: error, job: job.name }, 'could not fetch jobs');
      }
      const next = fetched[0];
      if (next) {
        await this.runJob(job, next);
        continue;
      }
      if (this.state !== 'started') break;
      await sleeper.sleep(this.options.pollSeconds * 1000);
    }
  }

  private async runJob(job: JobDefinition, row: PgBoss.JobWithMetadata<unknown>): Promise<void> {
    const logger = this.options.logger.child({ job: job.name, jobId: row.id, retryCount: row.retryCount });
    try {
      const payload: unknown = job.schema.parse(row.data);
      await job.handler(payload, { jobId: row.id, retryCount: row.retryCount, logger });
      await this.boss.complete(job.name, row.id);
    } catch (error) {
      logger.warn({ err: error }, 'job failed');
      try {
        await this.boss.fail(job.name, row.id, { message: error instanceof Error ? error.message : String(error) });
      } catch (failError) {
        // The run is left active; maintenance expires it and it is retried.
        logger.error({ err: failError }, 'could not record the failure of a job');
      }
    }
  }

  private async taskLoop(task: PeriodicTask): Promise<void> {
    const sleeper = this.sleeper(task.name);
    const logger = this.options.logger.child({ task: task.name });
    while (this.state === 'started') {
      try {
        await task.run(logger);
      } catch (error) {
        logger.error({ err: error }, 'periodic task failed');
      }
      if (this.state !== 'started') break;
      await sleeper.sleep(task.everySeconds * 1000);
    }
  }
}
