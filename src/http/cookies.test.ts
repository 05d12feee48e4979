import fastifyCookie from '@fastify/cookie';
import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { newSecret } from '../modules/accounts/passwords.ts';
import { FLASH_TTL_SECONDS, FormFlashes } from '../platform/flash/form-flashes.ts';
import { cookieNames, cookieOptions } from './cookies.ts';

describe('cookie sizes', () => {
  it('a flash key is 43 random base64url characters, whatever the flash holds', () => {
    const keys = Array.from({ length: 50 }, () => FormFlashes.newKey());
    for (const key of keys) expect(key).toMatch(/^[\w-]{43}$/);
    expect(new Set(keys).size).toBe(keys.length);
  });

  it('every cookie, with its longest name and every attribute, is a fixed size far under the 4 KB a browser keeps', async () => {
    const names = cookieNames(true);
    const app = Fastify();
    await app.register(fastifyCookie);
    app.get('/', async (_request, reply) => {
      reply.setCookie(names.session, newSecret(), cookieOptions(true));
      reply.setCookie(names.csrf, newSecret(), cookieOptions(true));
      reply.setCookie(names.flash, FormFlashes.newKey(), cookieOptions(true, FLASH_TTL_SECONDS));
      return 'ok';
    });
    const response = await app.inject({ method: 'GET', url: '/' });
    await app.close();
    const headers = [response.headers['set-cookie'] ?? []].flat();
    expect(headers).toHaveLength(3);
    for (const header of headers) {
      expect(header).toMatch(/^__Host-liaison_\w+=[\w-]{43};/);
      expect(Buffer.byteLength(header)).toBeLessThan(200);
    }
  });
});
