import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';

/**
 * The sending side of bench/mail.ts's inbound run, in its own process: sends every `*.eml` in
 * BENCH_MAIL_DIR (envelope in the matching `.json`) to BENCH_GATEWAY_PORT over four SMTP connections
 * and prints the elapsed milliseconds and the CPU milliseconds it spent meanwhile.
 *
 * A plain SMTP client (EHLO, then MAIL FROM, RCPT TO and DATA for each message, QUIT) whose messages are
 * dot-stuffed before the clock starts, so that the load generator spends as little as it can of the
 * two cores it shares with the gateway it measures: a general mail library's SMTP client transforms
 * each message line by line as it sends it, about a quarter of what the gateway itself spends.
 */
const dir = process.env.BENCH_MAIL_DIR ?? '';
const port = Number(process.env.BENCH_GATEWAY_PORT);
const CONNECTIONS = 4;

interface Outgoing {
  from: string;
  to: string;
  data: Buffer;
}

/** The message as SMTP DATA carries it: CRLF line ends, a leading dot doubled, ended by CRLF.CRLF. */
function dataOf(raw: Buffer): Buffer {
  const text = raw.toString('latin1').replace(/\r?\n/g, '\r\n');
  const stuffed = (text.startsWith('.') ? '.' : '') + text.replaceAll('\r\n.', '\r\n..');
  return Buffer.from(`${stuffed}${stuffed.endsWith('\r\n') ? '' : '\r\n'}.\r\n`, 'latin1');
}

const messages: Outgoing[] = fs
  .readdirSync(dir)
  .filter((f) => f.endsWith('.eml'))
  .map((f) => {
    const envelope = JSON.parse(fs.readFileSync(path.join(dir, f.replace(/\.eml$/, '.json')), 'utf8')) as {
      from: string;
      to: string;
    };
    return { ...envelope, data: dataOf(fs.readFileSync(path.join(dir, f))) };
  });

/** One connection: a reply reader that hands each complete reply (its last line) to the waiting step. */
function connect(): Promise<{ send: (line: string | Buffer, expect: number) => Promise<void>; end: () => void }> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    let buffered = '';
    let waiting: { expect: number; resolve: () => void; reject: (e: Error) => void } | null = null;
    const greeted = new Promise<void>((res, rej) => (waiting = { expect: 220, resolve: res, reject: rej }));
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => {
      buffered += chunk.toString('latin1');
      let end: number;
      while ((end = buffered.indexOf('\r\n')) >= 0) {
        const line = buffered.slice(0, end);
        buffered = buffered.slice(end + 2);
        if (line[3] === '-') continue; // a continued multi-line reply
        const step = waiting;
        waiting = null;
        if (!step) continue;
        if (Number(line.slice(0, 3)) === step.expect) step.resolve();
        else step.reject(new Error(`expected ${step.expect}, got: ${line}`));
      }
    });
    socket.on('error', reject);
    const send = (line: string | Buffer, expect: number) =>
      new Promise<void>((res, rej) => {
        waiting = { expect, resolve: res, reject: rej };
        socket.write(typeof line === 'string' ? `${line}\r\n` : line);
      });
    greeted.then(
      () => resolve({ send, end: () => socket.end('QUIT\r\n') }),
      (error: unknown) => reject(error instanceof Error ? error : new Error(String(error))),
    );
  });
}

const started = performance.now();
const cpuAtStart = process.cpuUsage();
let next = 0;
await Promise.all(
  Array.from({ length: CONNECTIONS }, async () => {
    const smtp = await connect();
    await smtp.send('EHLO bench.example', 250);
    for (let m = messages[next++]; m; m = messages[next++]) {
      await smtp.send(`MAIL FROM:<${m.from}>`, 250);
      await smtp.send(`RCPT TO:<${m.to}>`, 250);
      await smtp.send('DATA', 354);
      await smtp.send(m.data, 250);
    }
    smtp.end();
  }),
);
const cpu = process.cpuUsage(cpuAtStart);
process.stdout.write(`${Math.round(performance.now() - started)} ${Math.round((cpu.user + cpu.system) / 1000)}\n`);
