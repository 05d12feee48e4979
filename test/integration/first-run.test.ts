import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { PortUnavailableError, start } from '../../src/main.ts';
import { createLogger } from '../../src/platform/logger.ts';
import { testConfig } from '../support/app.ts';
import { ROOT } from '../support/db-target.ts';

// The first run as someone new meets it: the real command line in its own process, on its own
// data folder. Each wait is for a line of output or for the process to end; the timeouts are only a
// safety net for a slow machine.

interface Process {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  /** Resolves with the first match of `pattern` in standard output, as soon as it is printed. */
  waitFor: (pattern: RegExp) => Promise<RegExpMatchArray>;
  /** Resolves with the exit code when the process ends. */
  exited: Promise<number | null>;
}

const dataDirs: string[] = [];
const held: net.Server[] = [];
const children: ChildProcess[] = [];

function newDataDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'liaison-first-run-'));
  dataDirs.push(dir);
  return dir;
}

/** Runs `node --import tsx <script> ...args` with only the variables given (and PATH, HOME). */
function launch(script: string, args: string[], env: Record<string, string>): Process {
  const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: os.homedir(), LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let out = '';
  let err = '';
  const waiters: { pattern: RegExp; resolve: (m: RegExpMatchArray) => void; reject: (e: Error) => void }[] = [];
  const check = () => {
    for (const waiter of [...waiters]) {
      const match = out.match(waiter.pattern);
      if (match) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve(match);
      }
    }
  };
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
    out += chunk;
    check();
  });
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    err += chunk;
  });
  const exited = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
  void exited.then(() => {
    for (const waiter of waiters.splice(0)) {
      waiter.reject(new Error(`exited before printing ${waiter.pattern}\nstdout: ${out}\nstderr: ${err}`));
    }
  });
  return {
    child,
    stdout: () => out,
    stderr: () => err,
    exited,
    waitFor: (pattern) =>
      new Promise((resolve, reject) => {
        waiters.push({ pattern, resolve, reject });
        check();
      }),
  };
}

/** Holds a port on 127.0.0.1, as another program would. */
async function holdPort(): Promise<number> {
  const server = net.createServer();
  held.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as net.AddressInfo).port;
}

/** The output a refusal must be: exactly one line, and nothing that looks like a stack trace. */
function expectOneLine(text: string, expected: string | RegExp): void {
  const lines = text.trim().split('\n');
  expect(lines, text).toHaveLength(1);
  if (typeof expected === 'string') expect(lines[0]).toBe(expected);
  else expect(lines[0]).toMatch(expected);
  expect(text).not.toMatch(/^\s+at /m);
}

const smtpBanner = (port: number) =>
  new Promise<string>((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.setEncoding('utf8');
    socket.once('data', (line: string) => {
      socket.end('QUIT\r\n');
      resolve(line);
    });
    socket.once('error', reject);
  });

afterEach(async () => {
  await Promise.all(held.splice(0).map((s) => new Promise((resolve) => s.close(resolve))));
});
afterAll(() => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  for (const dir of dataDirs) fs.rmSync(dir, { recursive: true, force: true });
});

describe('a port already in use', () => {
  it('stops the demo in one line naming PORT, before any data is loaded', async () => {
    const port = await holdPort();
    const dataDir = newDataDir();
    const demo = launch('src/cli/index.ts', ['demo'], { DATA_DIR: dataDir, PORT: String(port), MAIL_IN_PORT: '0' });
    const code = await demo.exited;
    expectOneLine(demo.stderr(), `Port ${port} is already in use: set PORT to a free port (0 picks one).`);
    expect(code).not.toBe(0);
    expect(code).not.toBeNull();
    expect(fs.existsSync(path.join(dataDir, 'pglite')), 'no database was made').toBe(false);
  }, 60_000);

  it('stops the demo in one line naming MAIL_IN_PORT, before any data is loaded', async () => {
    const port = await holdPort();
    const dataDir = newDataDir();
    const demo = launch('src/cli/index.ts', ['demo'], { DATA_DIR: dataDir, PORT: '0', MAIL_IN_PORT: String(port) });
    const code = await demo.exited;
    expectOneLine(demo.stderr(), `Port ${port} is already in use: set MAIL_IN_PORT to a free port (0 picks one).`);
    expect(code).not.toBe(0);
    expect(code).not.toBeNull();
    expect(fs.existsSync(path.join(dataDir, 'pglite')), 'no database was made').toBe(false);
  }, 60_000);

  it('stops the server (npm start) in one line too, before migrating', async () => {
    const port = await holdPort();
    const dataDir = newDataDir();
    const server = launch('src/main.ts', [], { DATA_DIR: dataDir, PORT: '0', MAIL_IN_PORT: String(port) });
    const code = await server.exited;
    expectOneLine(server.stderr(), `Port ${port} is already in use: set MAIL_IN_PORT to a free port (0 picks one).`);
    expect(code).not.toBe(0);
    expect(code).not.toBeNull();
    expect(fs.existsSync(path.join(dataDir, 'pglite')), 'no database was made').toBe(false);
  }, 60_000);

  it('names the setting too when another program takes the port after the check, and lets the data folder go', async () => {
    const port = await holdPort();
    await Promise.all(held.splice(0).map((s) => new Promise((resolve) => s.close(resolve))));
    const dataDir = newDataDir();
    const config = testConfig({ DATA_DIR: dataDir, ROLES: 'web,mail-in', PORT: String(port) });
    const starting = start(config, createLogger('silent'), {
      // The check has passed; another program takes the web port before the server listens on it.
      prepare: async () => {
        const server = net.createServer();
        held.push(server);
        await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
      },
    });
    await expect(starting).rejects.toThrow(new PortUnavailableError('PORT', port, 'EADDRINUSE').message);
    await expect(starting).rejects.toBeInstanceOf(PortUnavailableError);
    expect(fs.existsSync(path.join(dataDir, 'liaison.lock')), 'the data folder is let go').toBe(false);
  }, 60_000);
});

describe('a running demo on ports it chose (PORT=0, MAIL_IN_PORT=0)', () => {
  let demo: Process;
  let dataDir: string;
  let webUrl: string;
  let mailPort: number;

  beforeAll(async () => {
    dataDir = newDataDir();
    demo = launch('src/cli/index.ts', ['demo'], { DATA_DIR: dataDir, PORT: '0', MAIL_IN_PORT: '0' });
    webUrl = (await demo.waitFor(/running at (http:\/\/\S+)/))[1] ?? '';
    mailPort = Number((await demo.waitFor(/SMTP on 127\.0\.0\.1:(\d+)/))[1]);
    await demo.waitFor(/Press Ctrl\+C to stop/);
  }, 240_000);
  afterAll(async () => {
    demo.child.kill('SIGINT');
    expect(await demo.exited).toBe(0);
  }, 60_000);

  it('prints the web address and the inbound mail port it is listening on', async () => {
    expect(webUrl).toMatch(/^http:\/\/localhost:\d+$/);
    expect(webUrl).not.toMatch(/:0$/);
    const res = await fetch(`${webUrl}/readyz`);
    expect(res.status).toBe(200);
    expect(mailPort).toBeGreaterThan(0);
    expect(await smtpBanner(mailPort)).toMatch(/^220 .*Liaison mail gateway/);
  });

  it('refuses token:create on its data folder in one line, pointing to the tokens page', async () => {
    const cli = launch('src/cli/index.ts', ['token:create', '--role', 'administrator'], { DATA_DIR: dataDir });
    const code = await cli.exited;
    expectOneLine(cli.stderr(), /is in use by a running Liaison .*\/staff\/tokens.* or stop it/);
    expect(code).not.toBe(0);
    expect(code).not.toBeNull();
    expect(cli.stdout()).toBe('');
  }, 60_000);
});
