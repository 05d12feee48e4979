import type { PostgresPool, PostgresPoolClient, PostgresQueryResult, PostgresCursor } from 'kysely';
import type pg from 'pg';
import { isDatabaseUnreachable } from './unreachable.ts';

/**
 * Reads that may be a few seconds old (the directory search, statistics) from a streaming replica,
 * falling back to the primary whenever the replica cannot serve them: not configured, not streaming
 * from the primary, further behind than allowed, or not answering. The request never waits for the
 * replica's health: a check runs in the background at most once a second, started by a read, and
 * reads go to the primary until one has found the replica fit. A read that fails on the replica is
 * run again on the primary, so a replica that dies mid-read costs that read a retry, not an error.
 * Only single statements belong here: a transaction is never begun on the replica's Kysely.
 */

export interface ReplicaHealth {
  /** The replica may be read. */
  usable: boolean;
  /** Why not, when it may not. */
  reason: string | null;
  /** Seconds the replica was behind at the last check (0 when it had replayed all it received). */
  lagSeconds: number | null;
  checkedAt: number;
}

const CHECK_EVERY_MS = 1000;

/**
 * What the replica says of itself: in recovery, streaming from the primary, and how far behind its
 * replay is (0 when it has replayed everything received; else the age of the last replayed commit).
 */
const HEALTH_QUERY = `SELECT pg_is_in_recovery() AS standby,
  EXISTS (SELECT 1 FROM pg_stat_wal_receiver WHERE status = 'streaming') AS streaming,
  CASE WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN 0
       ELSE COALESCE(EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp()), 0) END::float8 AS lag`;

/**
 * A failure of the replica rather than of the statement, after which it is taken out until the next
 * check: the database unreachable, any other error without a SQLSTATE, an operator intervention
 * (class 57) or a statement cancelled by a conflict with recovery (40001).
 */
function isReplicaFailure(error: unknown): boolean {
  if (isDatabaseUnreachable(error)) return true;
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code !== 'string' || !/^[0-9A-Z]{5}$/.test(code)) return true;
  return code.startsWith('57') || code === '40001';
}

export class ReplicaRouter implements PostgresPool {
  private health: ReplicaHealth = { usable: false, reason: 'not checked yet', lagSeconds: null, checkedAt: 0 };
  private checking: Promise<void> | null = null;

  constructor(
    private readonly replicaPool: pg.Pool,
    private readonly replica: PostgresPool,
    private readonly primary: PostgresPool,
    private readonly maxLagSeconds: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** The last check's finding (and starts a new check when it is more than a second old). */
  status(): ReplicaHealth {
    this.refreshIfStale();
    return this.health;
  }

  /** Checks the replica now; resolves when the check is done. */
  async check(): Promise<ReplicaHealth> {
    this.checking ??= this.runCheck().finally(() => {
      this.checking = null;
    });
    await this.checking;
    return this.health;
  }

  private refreshIfStale(): void {
    if (this.now() - this.health.checkedAt >= CHECK_EVERY_MS) void this.check();
  }

  private async runCheck(): Promise<void> {
    try {
      const { rows } = await this.replicaPool.query<{ standby: boolean; streaming: boolean; lag: number }>(
        HEALTH_QUERY,
      );
      const row = rows[0];
      const lag = row ? row.lag : null;
      let reason: string | null = null;
      if (!row?.standby) reason = 'not a standby';
      else if (!row.streaming) reason = 'not streaming from the primary';
      else if (lag === null || lag > this.maxLagSeconds) reason = `behind by ${lag ?? '?'} s`;
      this.health = { usable: reason === null, reason, lagSeconds: lag, checkedAt: this.now() };
    } catch (error) {
      this.markDown(error);
    }
  }

  private markDown(error: unknown): void {
    const reason = error instanceof Error ? error.message : String(error);
    this.health = { usable: false, reason: `not answering: ${reason}`, lagSeconds: null, checkedAt: this.now() };
  }

  async connect(): Promise<PostgresPoolClient> {
    this.refreshIfStale();
    if (this.health.usable) {
      try {
        return new FallbackClient(await this.replica.connect(), this.primary, (error) => this.markDown(error));
      } catch (error) {
        this.markDown(error);
      }
    }
    return this.primary.connect();
  }

  async end(): Promise<void> {
    await this.checking?.catch(() => undefined);
    if (!this.replicaPool.ended) await this.replica.end();
  }
}

/** A replica connection that runs a failed read again on a primary connection. */
class FallbackClient implements PostgresPoolClient {
  private primaryClient: PostgresPoolClient | null = null;

  constructor(
    private readonly replicaClient: PostgresPoolClient,
    private readonly primary: PostgresPool,
    private readonly onFailure: (error: unknown) => void,
  ) {}

  query<R>(sql: string, parameters: ReadonlyArray<unknown>): Promise<PostgresQueryResult<R>>;
  query<R>(cursor: PostgresCursor<R>): PostgresCursor<R>;
  query<R>(
    sql: string | PostgresCursor<R>,
    parameters?: ReadonlyArray<unknown>,
  ): Promise<PostgresQueryResult<R>> | PostgresCursor<R> {
    if (typeof sql !== 'string') throw new Error('Cursors are not used with this pool');
    const values = parameters ?? [];
    if (this.primaryClient) return this.primaryClient.query<R>(sql, values);
    return this.replicaClient.query<R>(sql, values).catch(async (error: unknown) => {
      if (isReplicaFailure(error)) this.onFailure(error);
      this.primaryClient ??= await this.primary.connect();
      return this.primaryClient.query<R>(sql, values);
    });
  }

  release(): void {
    this.replicaClient.release();
    this.primaryClient?.release();
  }
}
