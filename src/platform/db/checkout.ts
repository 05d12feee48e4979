import type pg from 'pg';

/** A connection taken from a pool for a while, and the way to give it back. */
export interface CheckedOut {
  client: pg.PoolClient;
  /** Gives the connection back; one whose socket failed while out is closed instead of reused. */
  release(): void;
}

/**
 * Takes a connection from the pool, listening for its socket's errors while it is out. pg's pool
 * listens only to its idle connections: one whose socket fails while it is checked out (a pooler or
 * a replica killed mid-statement, a reset connection) emits `error` with nobody listening, which
 * ends the process. Here the error fails the statement running (pg rejects it), the connection is
 * marked broken, and on release the pool closes it rather than handing it out again.
 */
export async function checkOut(pool: pg.Pool): Promise<CheckedOut> {
  const client = await pool.connect();
  let broken: Error | undefined;
  const onError = (error: Error) => {
    broken ??= error;
  };
  client.on('error', onError);
  return {
    client,
    release() {
      client.removeListener('error', onError);
      client.release(broken);
    },
  };
}
