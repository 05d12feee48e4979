/**
 * Whether an error means the database could not be reached or the connection to it broke (rather
 * than that a statement was wrong): a socket error, a connection refused or timed out, the server
 * closing the connection or shutting down. What was being done failed whole and may be tried again.
 */
const SOCKET_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH']);

/** pg's own messages for a connection that ended or could not be had; it gives them no code. */
const CONNECTION_MESSAGES = [
  'Connection terminated unexpectedly',
  'Connection terminated',
  'Connection terminated due to connection timeout',
  'timeout exceeded when trying to connect',
  'Client has encountered a connection error and is not queryable',
];

export function isDatabaseUnreachable(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string') {
    if (SOCKET_CODES.has(code)) return true;
    // SQLSTATE class 08 (connection exception); 57P01–57P03: the server is shutting down or starting.
    if (/^08[0-9A-Z]{3}$/.test(code) || code === '57P01' || code === '57P02' || code === '57P03') return true;
    return false;
  }
  return CONNECTION_MESSAGES.includes(error.message);
}
