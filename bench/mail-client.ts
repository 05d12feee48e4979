import fs from 'node:fs';
import path from 'node:path';
import nodemailer from 'nodemailer';

/**
 * The sending side of bench/mail.ts's inbound run, in its own process so that its MIME and SMTP
 * work does not share a CPU with the gateway it measures. Sends every `*.eml` in BENCH_MAIL_DIR
 * (envelope in the matching `.json`) to BENCH_GATEWAY_PORT over four connections and prints the
 * elapsed milliseconds.
 */
const dir = process.env.BENCH_MAIL_DIR ?? '';
const files = fs.readdirSync(dir).filter((f) => f.endsWith('.eml'));
const messages = files.map((f) => ({
  raw: fs.readFileSync(path.join(dir, f)),
  envelope: JSON.parse(fs.readFileSync(path.join(dir, f.replace(/\.eml$/, '.json')), 'utf8')) as {
    from: string;
    to: string;
  },
}));
const transport = nodemailer.createTransport({
  host: '127.0.0.1',
  port: Number(process.env.BENCH_GATEWAY_PORT),
  secure: false,
  ignoreTLS: true,
  pool: true,
  maxConnections: 4,
  maxMessages: Infinity,
});
const started = performance.now();
await Promise.all(messages.map((m) => transport.sendMail(m)));
process.stdout.write(`${Math.round(performance.now() - started)}\n`);
transport.close();
