import crypto from 'node:crypto';
import Fastify from 'fastify';
import pg from 'pg';

/**
 * The floor to compare Liaison with: a bare Fastify handler making the same two queries as the staff
 * home page (the session by its token hash, then the user with their authority and roles), with no
 * templates, security headers, CSRF or logging. Started by bench/run.ts as a child process:
 *
 *   node --import tsx bench/bare-server.ts <database-url> <port>
 */

const [url, portArg] = process.argv.slice(2);
if (!url || !portArg) {
  console.error('Usage: node --import tsx bench/bare-server.ts <database-url> <port>');
  process.exit(64);
}

const pool = new pg.Pool({ connectionString: url, max: 10 });
const app = Fastify({ logger: false });

app.get('/staff', async (request, reply) => {
  const token = /(?:^|;\s*)liaison_session=([^;]+)/.exec(request.headers.cookie ?? '')?.[1];
  if (!token) return reply.code(303).header('location', '/sign-in').send();
  const hash = crypto.createHash('sha256').update(token).digest('hex');
  const session = await pool.query<{ id: string; user_id: string }>(
    'SELECT * FROM sessions WHERE token_hash = $1 AND revoked_at IS NULL',
    [hash],
  );
  const userId = session.rows[0]?.user_id;
  if (!userId) return reply.code(303).header('location', '/sign-in').send();
  const user = await pool.query<{ display_name: string }>(
    `SELECT users.*, authorities.name AS authority_name,
       coalesce((SELECT array_agg(role ORDER BY role) FROM user_roles WHERE user_roles.user_id = users.id), '{}') AS roles
     FROM users LEFT JOIN authorities ON authorities.id = users.authority_id WHERE users.id = $1`,
    [userId],
  );
  const name = (user.rows[0]?.display_name ?? '').replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);
  return reply.type('text/html; charset=utf-8').send(`<!doctype html><title>Staff home</title><h1>${name}</h1>`);
});

await app.listen({ port: Number(portArg), host: '127.0.0.1' });
console.log('listening');
const stop = () => {
  void app.close().then(() => pool.end().then(() => process.exit(0)));
};
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
