import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net, { type AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';

/** Debian's nginx (package `nginx`, as scripts/cluster.sh installs it). */
export const NGINX = process.env.NGINX_PATH ?? '/usr/sbin/nginx';

export interface Nginx {
  /** `http://127.0.0.1:<port>`: nginx's address. */
  url: string;
  /** What nginx wrote to its error log. */
  errors(): string;
  stop(): Promise<void>;
}

/** A loopback port free at the time of asking. */
async function freePort(): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

const accepts = (port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });

/**
 * Starts a real nginx on a free loopback port in front of the web processes at `upstreams`
 * (loopback ports), as in production (scripts/cluster.sh) but over plain HTTP and with nothing
 * served from disk: requests are shared round-robin, with no stickiness, so consecutive requests
 * land on different processes. Its configuration, logs and temporary files live in a folder of
 * their own, removed by `stop`.
 */
export async function startNginx(upstreams: readonly number[]): Promise<Nginx> {
  if (!fs.existsSync(NGINX)) {
    throw new Error(`nginx is not installed at ${NGINX}: apt-get install nginx (or set NGINX_PATH)`);
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'liaison-nginx-'));
  // Run as root, nginx's worker drops to `nobody`, which must reach its temporary files here.
  fs.chmodSync(dir, 0o755);
  fs.mkdirSync(path.join(dir, 'tmp'));
  const errorLog = path.join(dir, 'error.log');
  const servers = upstreams.map((port) => `    server 127.0.0.1:${port};`).join('\n');
  let lastError: Error | undefined;
  // The port is free when asked and taken by nginx a moment later; another process may take it in
  // between, so a refused start is tried again on another port.
  for (let attempt = 0; attempt < 5; attempt++) {
    const port = await freePort();
    const conf = path.join(dir, 'nginx.conf');
    fs.writeFileSync(
      conf,
      `worker_processes 1;
daemon off;
pid ${dir}/nginx.pid;
error_log ${errorLog} warn;
events { worker_connections 256; }
http {
  default_type application/octet-stream;
  client_max_body_size 30m;
  client_body_temp_path ${dir}/tmp/body;
  proxy_temp_path ${dir}/tmp/proxy;
  fastcgi_temp_path ${dir}/tmp/fastcgi;
  uwsgi_temp_path ${dir}/tmp/uwsgi;
  scgi_temp_path ${dir}/tmp/scgi;
  access_log off;

  upstream liaison_web {
${servers}
    keepalive 8;
  }

  server {
    listen 127.0.0.1:${port};
    server_name localhost;
    location / {
      proxy_pass http://liaison_web;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host $http_host;
      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
      proxy_set_header X-Forwarded-Proto $scheme;
      proxy_read_timeout 300s;
    }
  }
}
`,
    );
    const check = spawnSync(NGINX, ['-t', '-q', '-e', errorLog, '-p', dir, '-c', conf], { encoding: 'utf8' });
    if (check.status !== 0) throw new Error(`nginx refused its configuration: ${check.stderr}`);
    const child: ChildProcess = spawn(NGINX, ['-e', errorLog, '-p', dir, '-c', conf], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    let running = true;
    void exited.then(() => (running = false));
    for (let i = 0; i < 300 && running; i++) {
      if (await accepts(port)) {
        return {
          url: `http://127.0.0.1:${port}`,
          errors: () => (fs.existsSync(errorLog) ? fs.readFileSync(errorLog, 'utf8') : ''),
          stop: async () => {
            // SIGQUIT: a graceful stop (requests under way are finished).
            if (running) child.kill('SIGQUIT');
            await exited;
            fs.rmSync(dir, { recursive: true, force: true });
          },
        };
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    if (running) {
      child.kill('SIGKILL');
      await exited;
    }
    lastError = new Error(`nginx did not start on port ${port}: ${stderr}`);
  }
  fs.rmSync(dir, { recursive: true, force: true });
  throw lastError ?? new Error('nginx did not start');
}
