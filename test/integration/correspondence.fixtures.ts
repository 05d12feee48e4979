import crypto from 'node:crypto';
import nodemailer from 'nodemailer';
import type { Db } from '../../src/platform/db/database.ts';
import { createLogger } from '../../src/platform/logger.ts';
import { startMailGateway, type MailGateway } from '../../src/platform/mail/inbound.ts';
import type { TestApp } from '../support/app.ts';

/** Real rows for correspondence tests: an authority with its officers, and a case about it. */

let sequence = 0;

export async function authorityWithOfficers(
  db: Db,
  options: { officers?: number; genericInbox?: boolean; name?: string } = {},
) {
  const tag = `${Date.now().toString(36)}${sequence++}`;
  const domain = `council-${tag}.example`;
  const authority = await db.kysely
    .insertInto('authorities')
    .values({
      name: options.name ?? `Correspondence Borough Council ${tag}`,
      kind: 'district',
      generic_inbox: options.genericInbox ? `complaints@${domain}` : null,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  await db.kysely
    .insertInto('senior_officers')
    .values({
      authority_id: authority.id,
      role: 'chief-executive',
      name: 'Chris Chief',
      job_title: 'Chief Executive',
      email: `chief.executive@${domain}`,
    })
    .execute();
  const officers: { id: string; email: string }[] = [];
  for (let slot = 1; slot <= (options.officers ?? 2); slot++) {
    const row = await db.kysely
      .insertInto('link_officers')
      .values({
        authority_id: authority.id,
        slot: slot as 1 | 2,
        title: 'Ms',
        forename: `Officer${slot}`,
        surname: 'Link',
        job_title: 'Complaints manager',
        email: `officer${slot}@${domain}`,
        phone: '+442079460958',
      })
      .returning(['id', 'email'])
      .executeTakeFirstOrThrow();
    officers.push(row);
  }
  return {
    authorityId: authority.id,
    domain,
    officers,
    chiefExecutive: `chief.executive@${domain}`,
    inbox: `complaints@${domain}`,
  };
}

export async function createComplaint(
  db: Db,
  authorityId: string,
  complainantEmail = `resident-${crypto.randomBytes(3).toString('hex')}@home.example`,
) {
  const n = String(100_000 + ((sequence++ * 7919 + crypto.randomInt(0, 1000)) % 900_000));
  const reference = `26 ${n.slice(0, 3)} ${n.slice(3, 6)}`;
  const complaint = await db.kysely
    .insertInto('complaints')
    .values({
      reference,
      authority_id: authorityId,
      service_area: 'housing',
      channel: 'online',
      summary: 'The repair was never done.',
      authority_process_finished: true,
      received_at: new Date(),
    })
    .returning(['id', 'reference'])
    .executeTakeFirstOrThrow();
  await db.kysely
    .insertInto('complaint_parties')
    .values({
      complaint_id: complaint.id,
      authority_id: authorityId,
      role: 'complainant',
      name: 'Pat Resident',
      email: complainantEmail,
    })
    .execute();
  return { ...complaint, complainantEmail };
}

/** Sends real mail into the gateway over SMTP. */
export async function sendToGateway(
  gateway: MailGateway,
  message: Parameters<ReturnType<typeof nodemailer.createTransport>['sendMail']>[0],
): Promise<string | undefined> {
  const transport = nodemailer.createTransport({
    host: '127.0.0.1',
    port: gateway.port,
    secure: false,
    ignoreTLS: true,
  });
  try {
    const info = (await transport.sendMail(message)) as { response?: string };
    return info.response;
  } finally {
    transport.close();
  }
}

/** A delivery status notification (RFC 3464) about one of our messages. */
export function deliveryReport(input: {
  recipient: string;
  status: string;
  action: string;
  messageId: string;
}): string {
  return [
    'From: Mail Delivery System <MAILER-DAEMON@mx.council.example>',
    'Subject: Undelivered Mail Returned to Sender',
    'Auto-Submitted: auto-replied',
    'MIME-Version: 1.0',
    'Content-Type: multipart/report; report-type=delivery-status; boundary="B1"',
    '',
    '--B1',
    'Content-Type: text/plain',
    '',
    'Your message could not be delivered.',
    '',
    '--B1',
    'Content-Type: message/delivery-status',
    '',
    'Reporting-MTA: dns; mx.council.example',
    '',
    `Final-Recipient: rfc822; ${input.recipient}`,
    `Action: ${input.action}`,
    `Status: ${input.status}`,
    `Diagnostic-Code: smtp; ${input.status.startsWith('5') ? '550' : '451'} ${input.status} mailbox problem`,
    '',
    '--B1',
    'Content-Type: text/rfc822-headers',
    '',
    `Message-ID: ${input.messageId}`,
    '',
    '--B1--',
    '',
  ].join('\r\n');
}

/** The inbound mail gateway on a loopback port, filing what it stores through the app's services. */
export function startTestGateway(
  app: Pick<TestApp, 'db' | 'services' | 'clock'>,
  domain: string,
): Promise<MailGateway> {
  return startMailGateway({
    host: '127.0.0.1',
    port: 0,
    domain,
    db: app.db.kysely,
    rawMail: app.services.rawMail,
    clock: app.clock,
    logger: createLogger('silent'),
    onStored: (id, parsed) => app.services.correspondence.fileInbound(id, parsed),
  });
}
