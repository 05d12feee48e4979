import { systemClock } from '../src/platform/clock.ts';
import { openDatabase } from '../src/platform/db/database.ts';
import { createLogger } from '../src/platform/logger.ts';
import { MailSender } from '../src/platform/mail/sender.ts';

/**
 * One mail worker for bench/mail.ts: sweeps the outbox of BENCH_MAIL_DB_URL to BENCH_SMTP_URL until
 * it is empty, then exits. Killed with SIGKILL mid-batch by the crash test.
 */
const db = await openDatabase({ kind: 'postgres', url: process.env.BENCH_MAIL_DB_URL ?? '', poolSize: 4 });
const sender = new MailSender(
  db.kysely,
  systemClock,
  {
    smtpUrl: process.env.BENCH_SMTP_URL ?? '',
    from: 'Liaison <no-reply@liaison.bench>',
    domain: 'liaison.bench',
    leaseSeconds: Number(process.env.BENCH_LEASE_SECONDS ?? 2),
    concurrency: 4,
    perDomainPerSecond: 100,
  },
  createLogger('warn'),
);
for (;;) {
  const result = await sender.sendDue();
  if (result.sent + result.retrying + result.failed === 0) {
    const left = await db.kysely
      .selectFrom('outbox_messages')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('status', 'in', ['queued', 'sending'])
      .executeTakeFirstOrThrow();
    if (left.n === 0) break;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
sender.close();
await db.close();
