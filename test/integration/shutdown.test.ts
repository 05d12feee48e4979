import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { start, type Running } from '../../src/main.ts';
import { CSRF_COOKIE } from '../../src/http/cookies.ts';
import { csrfTokens } from '../../src/http/csrf.ts';
import { createLogger } from '../../src/platform/logger.ts';
import { TEST_SECRET, testConfig } from '../support/app.ts';

let dataDir: string;
let running: Running;

beforeAll(async () => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'liaison-shutdown-'));
  const config = testConfig({ DATA_DIR: dataDir, ROLES: 'web,worker,mail-in', JOB_POLL_SECONDS: '1' });
  running = await start(config, createLogger('silent'));
});
afterAll(async () => {
  await running.stop();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

const canConnect = (port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });

describe('a running Liaison process', () => {
  it('runs all three roles: the web pages, the worker and the mail gateway', async () => {
    const res = await fetch(`${running.url}/readyz`);
    expect(res.status).toBe(200);
    expect(running.mailIn?.port).toBeGreaterThan(0);
    expect(await canConnect(running.mailIn?.port ?? 0)).toBe(true);
    expect(fs.existsSync(path.join(dataDir, 'liaison.lock'))).toBe(true);
  });

  it('on stop, finishes a request already in flight, then stops listening and releases the data folder', async () => {
    const url = new URL(running.url);
    const raw = 'c'.repeat(43);
    const body = new URLSearchParams({
      email: 'nobody@example.test',
      password: 'not the password',
      _csrf: csrfTokens(TEST_SECRET).create(raw),
    }).toString();
    const half = Math.floor(body.length / 2);

    const response = new Promise<{ status: number; location: string | undefined }>((resolve, reject) => {
      const req = http.request({
        host: url.hostname,
        port: url.port,
        method: 'POST',
        path: '/sign-in',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          'content-length': Buffer.byteLength(body),
          cookie: `${CSRF_COOKIE}=${raw}`,
          expect: '100-continue',
        },
      });
      req.on('response', (res) => {
        res.resume();
        res.on('end', () => resolve({ status: res.statusCode ?? 0, location: res.headers.location }));
      });
      req.on('error', reject);
      // The server has the request once it says "continue": only then stop, then send the rest of the body.
      req.on('continue', () => {
        req.write(body.slice(0, half));
        const stopping = running.stop();
        setImmediate(() => {
          req.end(body.slice(half));
        });
        stopping.catch(reject);
      });
      req.flushHeaders();
    });

    const answered = await response;
    expect(answered.status).toBe(303);
    expect(answered.location).toBe('/sign-in');
    await running.stop();

    expect(await canConnect(Number(url.port))).toBe(false);
    expect(await canConnect(running.mailIn?.port ?? 0)).toBe(false);
    expect(fs.existsSync(path.join(dataDir, 'liaison.lock'))).toBe(false);
  });
});
