import crypto from 'node:crypto';
import { simpleParser } from 'mailparser';
import nodemailer, { type SendMailOptions } from 'nodemailer';
import { afterAll, describe, expect, it } from 'vitest';
import { PARSE_OPTIONS, startMailParserPool, type ParsedMessage } from './parse.ts';
import { decodeSetAside, planSetAside, SET_ASIDE_MIN_BYTES } from './set-aside.ts';

const composer = nodemailer.createTransport({ streamTransport: true, buffer: true });

async function compose(options: SendMailOptions): Promise<Buffer> {
  const info = (await composer.sendMail({
    from: 'officer@council.example',
    to: 'case+abc@liaison.test',
    ...options,
  })) as {
    message: Buffer;
  };
  return info.message;
}

const pdf = (kb: number) => Buffer.concat([Buffer.from('%PDF-1.4\n'), crypto.randomBytes(kb * 1024)]);
const b64 = (bytes: Buffer) => bytes.toString('base64').replace(/.{76}/g, '$&\r\n');

const pool = startMailParserPool(2);
afterAll(() => pool.close());

/** What filing reads of a parsed message, comparable with toEqual. */
function reading(parsed: ParsedMessage) {
  return {
    subject: parsed.subject,
    from: parsed.from?.text,
    text: parsed.text,
    html: parsed.html,
    attachments: parsed.attachments.map((a) => ({
      filename: a.filename,
      contentType: a.contentType,
      size: a.size,
      related: a.related,
      sha256: crypto.createHash('sha256').update(a.content).digest('hex'),
    })),
  };
}

describe('setting large attachments aside', () => {
  it('finds a large base64 attachment and leaves a small message with a marker in its place', async () => {
    const attachment = pdf(300);
    const raw = await compose({
      subject: 'Our response',
      text: 'Attached.',
      attachments: [{ filename: 'response.pdf', content: attachment }],
    });
    const plan = planSetAside(raw);

    expect(plan?.parts).toHaveLength(1);
    const part = plan?.parts[0];
    expect(part && decodeSetAside(raw, part).equals(attachment)).toBe(true);
    expect(plan?.message.length).toBeLessThan(2000);
    const small = await simpleParser(plan?.message ?? Buffer.alloc(0), PARSE_OPTIONS);
    expect(small.attachments[0]?.content.equals(part?.marker ?? Buffer.alloc(0))).toBe(true);
    expect(small.text?.trim()).toBe('Attached.');
  });

  it('sets aside nothing small, nothing that is text and nothing not in base64', async () => {
    const raw = await compose({
      subject: 'Nothing to set aside',
      text: 'é'.repeat(SET_ASIDE_MIN_BYTES), // a large body, sent in base64, but text
      attachments: [
        { filename: 'small.pdf', content: pdf(10) },
        { filename: 'notes.txt', content: 'x'.repeat(200 * 1024) },
        { filename: 'data.bin', content: pdf(200), encoding: 'binary', contentTransferEncoding: 'quoted-printable' },
      ],
    });
    expect(planSetAside(raw)).toBeNull();
  });

  it('finds large parts at any depth of nesting, and the whole message when it is one', async () => {
    const first = pdf(100);
    const second = pdf(150);
    const image = pdf(90);
    const raw = await compose({
      subject: 'Nested',
      text: 'Plain.',
      html: '<p>HTML <img src="cid:photo@council"></p>',
      attachments: [
        { filename: 'first.pdf', content: first },
        { filename: 'photo.png', content: image, cid: 'photo@council', contentType: 'image/png' },
        { filename: 'second.pdf', content: second },
      ],
    });
    const plan = planSetAside(raw);
    expect(
      plan?.parts.map((p) => crypto.createHash('sha256').update(decodeSetAside(raw, p)).digest('hex')).sort(),
    ).toEqual([first, image, second].map((b) => crypto.createHash('sha256').update(b).digest('hex')).sort());

    const whole = Buffer.from(
      [
        'From: a@council.example',
        'Subject: Just a file',
        'Content-Type: application/pdf; name="scan.pdf"',
        'Content-Transfer-Encoding: base64',
        '',
        b64(first),
      ].join('\r\n'),
    );
    expect(planSetAside(whole)?.parts).toHaveLength(1);
  });

  it('leaves whole a part mailparser might read differently', () => {
    const body = b64(pdf(100));
    const message = (partHeaders: string[], partBody: string) =>
      Buffer.from(
        [
          'Subject: x',
          'Content-Type: multipart/mixed; boundary="b1"',
          '',
          '--b1',
          'Content-Type: text/plain',
          '',
          'Hello',
          '--b1',
          ...partHeaders,
          '',
          partBody,
          '--b1--',
          '',
        ].join('\r\n'),
      );
    const pdfHeaders = ['Content-Type: application/pdf', 'Content-Transfer-Encoding: base64'];

    expect(planSetAside(message(pdfHeaders, body))?.parts).toHaveLength(1);
    // A dash could start a boundary line; padding in the middle is read differently by the decoders.
    expect(planSetAside(message(pdfHeaders, `${body.slice(0, 1000)}\r\n--b1\r\n${body.slice(1000)}`))).toBeNull();
    expect(planSetAside(message(pdfHeaders, `${body.slice(0, 1000)}==\r\n${body.slice(1000)}`))).toBeNull();
    // Two encodings, a quoted or commented encoding, a header line ended by a bare LF, no type at all.
    expect(planSetAside(message([...pdfHeaders, 'Content-Transfer-Encoding: 7bit'], body))).toBeNull();
    expect(
      planSetAside(message(['Content-Type: application/pdf', 'Content-Transfer-Encoding: "base64"'], body)),
    ).toBeNull();
    expect(
      planSetAside(message(['Content-Type: application/pdf', 'Content-Transfer-Encoding: base64 (x)'], body)),
    ).toBeNull();
    expect(
      planSetAside(message(['Content-Type: application/pdf\nX-A: 1', 'Content-Transfer-Encoding: base64'], body)),
    ).toBeNull();
    expect(planSetAside(message(['Content-Transfer-Encoding: base64'], body))).toBeNull();
    // A message of more parts than mailparser reads is left to it whole, the scan stopping early.
    const many = ['Subject: many', 'Content-Type: multipart/mixed; boundary="m"', ''];
    for (let i = 0; i < 1200; i++) many.push('--m', 'Content-Type: text/plain', '', `part ${i}`);
    many.push('--m', ...pdfHeaders, '', body, '--m--', '');
    expect(planSetAside(Buffer.from(many.join('\r\n')))).toBeNull();
    // A part no delimiter ends.
    const unterminated = message(pdfHeaders, body)
      .toString('latin1')
      .replace(/--b1--\r\n$/, '');
    expect(planSetAside(Buffer.from(unterminated, 'latin1'))).toBeNull();
  });
});

describe('parsing with large parts set aside', () => {
  it('reads every message exactly as mailparser reads it whole', async () => {
    const body = b64(pdf(120));
    const hand = (lines: string[]) => Buffer.from(lines.join('\r\n'), 'latin1');
    const messages = [
      await compose({ subject: 'One', text: 'One.', attachments: [{ filename: 'a.pdf', content: pdf(1024) }] }),
      await compose({
        subject: 'Réponse – “quoted”',
        text: 'Plain ’',
        html: '<p>HTML ’ <img src="cid:i@x"></p>',
        attachments: [
          { filename: 'first résumé.pdf', content: pdf(100) },
          { filename: 'inline.png', content: pdf(70), cid: 'i@x', contentType: 'image/png' },
          { filename: 'small.txt', content: 'small' },
          { filename: 'second.pdf', content: pdf(200) },
          { content: pdf(80), contentType: 'application/octet-stream' },
        ],
      }),
      // A boundary that starts another's; garbage characters and spaces inside the base64.
      hand([
        'Subject: Prefixes',
        'Content-Type: multipart/mixed; boundary="abc"',
        '',
        'Preamble',
        '--abc',
        'Content-Type: multipart/alternative; boundary="abcd"',
        '',
        '--abcd',
        'Content-Type: text/plain',
        '',
        'Alt text',
        '--abcd--',
        '--abc  ',
        'Content-Type: application/pdf; name="odd.pdf"',
        'Content-Transfer-Encoding: BASE64',
        '',
        body.replace(/\r\n/g, ' *\r\n'),
        '--abc',
        'Content-Type: application/zip;',
        ' name="folded.zip"',
        'Content-Disposition: attachment;',
        '\tfilename="folded.zip"',
        'Content-Transfer-Encoding: base64',
        '',
        body,
        '--abc--',
        'Epilogue',
      ]),
      // Duplicated headers and a bare-LF header line: read whole.
      hand([
        'Subject: Odd headers',
        'Content-Type: multipart/mixed; boundary="z"',
        '',
        '--z',
        'Content-Type: application/pdf',
        'Content-Type: text/plain',
        'Content-Transfer-Encoding: base64',
        '',
        body,
        '--z',
        'Content-Type: application/pdf\nContent-Transfer-Encoding: base64',
        '',
        body,
        '--z--',
      ]),
      // The whole message is one attachment.
      hand(['Subject: Only a file', 'Content-Type: application/pdf', 'Content-Transfer-Encoding: base64', '', body]),
    ];
    // Each kind of message is here: some parts set aside, and none.
    expect(messages.map((raw) => planSetAside(raw)?.parts.length ?? 0)).toEqual([1, 4, 2, 0, 1]);
    for (const raw of messages) {
      const whole = reading(await simpleParser(raw, PARSE_OPTIONS));
      const pooled = reading(await pool.parse(Buffer.from(raw)));
      expect(pooled).toEqual(whole);
    }
  });
});
