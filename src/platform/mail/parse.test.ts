import crypto from 'node:crypto';
import nodemailer, { type SendMailOptions } from 'nodemailer';
import { afterAll, describe, expect, it } from 'vitest';
import { startMailParserPool, UnreadableMessageError, unreadableReason } from './parse.ts';

const composer = nodemailer.createTransport({ streamTransport: true, buffer: true });

async function compose(options: SendMailOptions): Promise<Buffer> {
  const info = (await composer.sendMail(options)) as { message: Buffer };
  return info.message;
}

const pool = startMailParserPool(2);
afterAll(() => pool.close());

describe('the mail parser threads', () => {
  it('parse a reply with its headers, bodies and attachments', async () => {
    const pdf = Buffer.concat([Buffer.from('%PDF-1.4\n'), crypto.randomBytes(200 * 1024)]);
    const raw = await compose({
      from: 'Link Officer <officer@council.example>',
      to: 'case+abc@liaison.test',
      subject: 'Re: Your enquiry',
      text: 'Our response is attached.',
      html: '<p>Our response is attached.</p>',
      inReplyTo: '<original@liaison.test>',
      references: ['<first@liaison.test>', '<original@liaison.test>'],
      attachments: [
        { filename: 'response.pdf', content: pdf },
        { filename: 'note.txt', content: 'A short note' },
      ],
    });
    const parsed = await pool.parse(raw);

    expect(parsed.subject).toBe('Re: Your enquiry');
    expect(parsed.from?.text).toContain('officer@council.example');
    expect(parsed.inReplyTo).toBe('<original@liaison.test>');
    expect(parsed.references).toEqual(['<first@liaison.test>', '<original@liaison.test>']);
    expect(parsed.text?.trim()).toBe('Our response is attached.');
    expect(parsed.html).toContain('<p>Our response is attached.</p>');
    expect(parsed.headers.get('subject')).toBe('Re: Your enquiry');
    expect(parsed.attachments.map((a) => a.filename)).toEqual(['response.pdf', 'note.txt']);
    const [first, second] = parsed.attachments;
    expect(Buffer.isBuffer(first?.content)).toBe(true);
    expect(first?.content.equals(pdf)).toBe(true);
    expect(first?.size).toBe(pdf.length);
    expect(second?.content.toString()).toBe('A short note');
  });

  it('parse many messages at once, each getting its own result', async () => {
    const raws = await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        compose({
          from: 'a@council.example',
          to: 'b@liaison.test',
          subject: `Message ${i}`,
          text: `Body ${i}`,
          attachments: [{ filename: `file-${i}.txt`, content: `Content ${i} `.repeat(500 * (i + 1)) }],
        }),
      ),
    );
    const results = await Promise.all(raws.map((raw) => pool.parse(raw)));
    results.forEach((parsed, i) => {
      expect(parsed.subject).toBe(`Message ${i}`);
      expect(parsed.attachments[0]?.content.toString()).toBe(`Content ${i} `.repeat(500 * (i + 1)));
    });
  });

  it('still parses something that is hardly a message, as the gateway has always stored it', async () => {
    const parsed = await pool.parse(Buffer.from('not a real message at all'));
    expect(parsed.attachments).toEqual([]);
    expect(parsed.subject).toBeUndefined();
  });

  it('reject a message the parser gives up on as unreadable, with what its header section says', async () => {
    // Multipart parts nested one inside the next, each boundary opened and never closed: more parts
    // than the parser will split.
    const lines = [
      'From: Link Officer <officer@council.example>',
      'To: case+abc@liaison.test',
      'Subject: Our response',
      'Message-ID: <broken-1@council.example>',
      'MIME-Version: 1.0',
    ];
    for (let i = 0; i < 1100; i++) lines.push(`Content-Type: multipart/mixed; boundary="part-${i}"`, '', `--part-${i}`);
    lines.push('Content-Type: text/plain', '', 'Innermost text');
    const failure: unknown = await pool.parse(Buffer.from(lines.join('\r\n'))).catch((e: unknown) => e);

    expect(failure).toBeInstanceOf(UnreadableMessageError);
    const error = failure as UnreadableMessageError;
    expect(error.reason).toBe('too many MIME parts');
    expect(error.headings?.subject).toBe('Our response');
    expect(error.headings?.from?.text).toContain('officer@council.example');
    expect(error.headings?.messageId).toBe('<broken-1@council.example>');
  });

  it('reject a header section too large to read, reading what comes before it', async () => {
    const raw = Buffer.from(
      ['From: someone@example.test', 'Subject: Huge header', `X-Padding: ${'a'.repeat(1_100_000)}`, '', 'body'].join(
        '\r\n',
      ),
    );
    const failure: unknown = await pool.parse(raw).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(UnreadableMessageError);
    expect((failure as UnreadableMessageError).reason).toBe('a header section is too large');
    expect((failure as UnreadableMessageError).headings?.subject).toBe('Huge header');
  });

  it('keep a parser thread that gave up on one message for the next', async () => {
    const lone = startMailParserPool(1);
    try {
      const many = ['Subject: many', 'Content-Type: multipart/mixed; boundary="b"', ''];
      for (let i = 0; i < 1100; i++) many.push('--b', 'Content-Type: text/plain', '', `part ${i}`);
      await expect(lone.parse(Buffer.from(many.join('\r\n')))).rejects.toBeInstanceOf(UnreadableMessageError);
      expect((await lone.parse(Buffer.from('Subject: next\r\n\r\nbody'))).subject).toBe('next');
    } finally {
      await lone.close();
    }
  });

  it('say why in a few plain words', () => {
    expect(unreadableReason('Max allowed child nodes exceeded')).toBe('too many MIME parts');
    expect(unreadableReason('Max header size for a MIME node exceeded')).toBe('a header section is too large');
    expect(unreadableReason('  Something\n  odd ')).toBe('Something odd');
    expect(unreadableReason('')).toBe('the parser gave no reason');
    expect(unreadableReason('x'.repeat(500))).toHaveLength(200);
  });

  it('refuse work once closed', async () => {
    const closing = startMailParserPool(1);
    await closing.close();
    const refusal: unknown = await closing.parse(Buffer.from('Subject: x\r\n\r\nbody')).catch((e: unknown) => e);
    expect(refusal).toBeInstanceOf(Error);
    expect((refusal as Error).message).toMatch(/closed/);
    // Not the message's fault: the gateway tells the sender to try again.
    expect(refusal).not.toBeInstanceOf(UnreadableMessageError);
  });
});
