import crypto from 'node:crypto';
import nodemailer, { type SendMailOptions } from 'nodemailer';
import { afterAll, describe, expect, it } from 'vitest';
import { startMailParserPool } from './parse.ts';

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

  it('refuse work once closed', async () => {
    const closing = startMailParserPool(1);
    await closing.close();
    await expect(closing.parse(Buffer.from('Subject: x\r\n\r\nbody'))).rejects.toThrow(/closed/);
  });
});
