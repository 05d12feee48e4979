import { describe, expect, it } from 'vitest';
import { cronFor, queueName } from './job.ts';

describe('a job schedule', () => {
  it('is a cron expression when cron can say the cadence exactly', () => {
    expect(cronFor(60)).toBe('* * * * *');
    expect(cronFor(300)).toBe('*/5 * * * *');
    expect(cronFor(900)).toBe('*/15 * * * *');
    expect(cronFor(3600)).toBe('0 * * * *');
    expect(cronFor(6 * 3600)).toBe('0 */6 * * *');
    expect(cronFor(24 * 3600)).toBe('0 0 * * *');
  });

  it('is no cron expression under a minute, or for a cadence that does not divide an hour or a day', () => {
    expect(cronFor(1)).toBeNull();
    expect(cronFor(30)).toBeNull();
    expect(cronFor(90)).toBeNull();
    expect(cronFor(7 * 60)).toBeNull();
    expect(cronFor(90 * 60)).toBeNull();
    expect(cronFor(5 * 3600)).toBeNull();
    expect(cronFor(48 * 3600)).toBeNull();
  });
});

describe('a job queue name', () => {
  it('is the job name for the first version, then carries the version', () => {
    expect(queueName({ name: 'mail.send-outbox' })).toBe('mail.send-outbox');
    expect(queueName({ name: 'mail.send-outbox', version: 1 })).toBe('mail.send-outbox');
    expect(queueName({ name: 'mail.send-outbox', version: 2 })).toBe('mail.send-outbox.v2');
  });
});
