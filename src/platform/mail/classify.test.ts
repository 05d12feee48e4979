import { describe, expect, it } from 'vitest';
import { autoReplyReason, parseDsn, statusKind } from './classify.ts';

const dsn = (status: string, action: string, extra = '') =>
  [
    'From: Mail Delivery System <MAILER-DAEMON@mx.council.example>',
    'To: bounce+0f8fad5b-d9cb-469f-a165-70867728950e@liaison.test',
    'Subject: Undelivered Mail Returned to Sender',
    'MIME-Version: 1.0',
    'Content-Type: multipart/report; report-type=delivery-status;',
    '\tboundary="BOUNDARY-1"',
    '',
    'This is a MIME-encapsulated message.',
    '',
    '--BOUNDARY-1',
    'Content-Type: text/plain; charset=us-ascii',
    '',
    'I am sorry to have to inform you that your message could not be delivered.',
    '',
    '--BOUNDARY-1',
    'Content-Type: message/delivery-status',
    '',
    'Reporting-MTA: dns; mx.council.example',
    'Arrival-Date: Tue, 3 Mar 2026 10:00:00 +0000',
    '',
    'Final-Recipient: rfc822; Gone.Officer@council.example',
    'Original-Recipient: rfc822;gone.officer@council.example',
    `Action: ${action}`,
    `Status: ${status}`,
    'Diagnostic-Code: smtp; 550 5.1.1 <gone.officer@council.example>: Recipient',
    '    address rejected: User unknown',
    extra,
    '',
    '--BOUNDARY-1',
    'Content-Type: text/rfc822-headers',
    '',
    'From: Liaison <no-reply@liaison.test>',
    'Subject: Enquiry about complaint 26 001 234',
    'Message-ID: <0f8fad5b-d9cb-469f-a165-70867728950e@liaison.test>',
    '',
    '--BOUNDARY-1--',
    '',
  ].join('\r\n');

describe('delivery status notifications', () => {
  it('give each recipient’s action, status and diagnostic, and the original Message-ID', () => {
    const report = parseDsn(dsn('5.1.1', 'failed'));
    expect(report).toEqual({
      recipients: [
        {
          recipient: 'gone.officer@council.example',
          action: 'failed',
          status: '5.1.1',
          diagnostic: '550 5.1.1 <gone.officer@council.example>: Recipient address rejected: User unknown',
        },
      ],
      originalMessageId: '<0f8fad5b-d9cb-469f-a165-70867728950e@liaison.test>',
    });
  });

  it('tell permanent failures from temporary ones', () => {
    expect(statusKind(parseDsn(dsn('5.2.2', 'failed'))?.recipients[0]?.status ?? '')).toBe('permanent');
    expect(statusKind(parseDsn(dsn('4.4.1', 'delayed'))?.recipients[0]?.status ?? '')).toBe('temporary');
    expect(statusKind('2.0.0')).toBe('success');
  });

  it('are not found in ordinary mail, nor in other kinds of report', () => {
    expect(parseDsn('From: a@b.example\r\nSubject: Hello\r\n\r\nJust a message.\r\n')).toBeNull();
    const mdn = dsn('5.1.1', 'failed').replace('report-type=delivery-status', 'report-type=disposition-notification');
    expect(parseDsn(mdn)).toBeNull();
  });
});

describe('automatic replies', () => {
  const signals = (headers: Record<string, string>, subject: string | null = 'Re: Your enquiry') => ({
    header: (name: string) => headers[name],
    subject,
    envelopeFrom: 'officer@council.example',
  });

  it('are recognised by RFC 3834 Auto-Submitted, except "no"', () => {
    expect(autoReplyReason(signals({ 'auto-submitted': 'auto-replied' }))).toBe('Auto-Submitted: auto-replied');
    expect(autoReplyReason(signals({ 'auto-submitted': 'auto-generated; owner-email="x@y"' }))).toBe(
      'Auto-Submitted: auto-generated',
    );
    expect(autoReplyReason(signals({ 'auto-submitted': 'no' }))).toBeNull();
  });

  it('are recognised by X-Autoreply and by Precedence auto_reply or bulk', () => {
    expect(autoReplyReason(signals({ 'x-autoreply': 'yes' }))).toBe('X-Autoreply');
    expect(autoReplyReason(signals({ precedence: 'auto_reply' }))).toBe('Precedence: auto_reply');
    expect(autoReplyReason(signals({ precedence: 'bulk' }))).toBe('Precedence: bulk');
    expect(autoReplyReason(signals({ precedence: 'first-class' }))).toBeNull();
  });

  it('are recognised by out-of-office subjects', () => {
    for (const subject of [
      'Out of Office: Enquiry about complaint 26 001 234',
      'Automatic reply: Enquiry',
      'Auto-Reply: Enquiry',
      'RE: Out of the office until Monday',
      'On annual leave',
    ]) {
      expect(autoReplyReason(signals({}, subject)), subject).toBe('Out-of-office subject');
    }
  });

  it('are not claimed for a person’s reply', () => {
    expect(autoReplyReason(signals({}, 'Re: Enquiry about complaint 26 001 234'))).toBeNull();
    expect(autoReplyReason(signals({}, 'Our response on the office move complaint'))).toBeNull();
    expect(autoReplyReason(signals({}, null))).toBeNull();
  });
});
