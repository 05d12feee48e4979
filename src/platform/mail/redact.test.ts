import crypto from 'node:crypto';
import { simpleParser, type ParsedMail } from 'mailparser';
import nodemailer, { type SendMailOptions } from 'nodemailer';
import { describe, expect, it } from 'vitest';
import { createRedactor } from './redact.ts';

// A link officer as erasure sees them: what identifies them on its own, and their names besides.
const NAME = 'Siân Ffoulkes';
const EMAIL = 'sian.ffoulkes@conwy-council.example';
const PHONE = '01632 960123';
const identifying = ['Ms Siân Ffoulkes', EMAIL, '+44 1632 960123', NAME, PHONE, '01632960123'];
const ALL = [...identifying, 'Siân', 'Ffoulkes'];
const redactor = createRedactor({ identifying, all: ALL, marker: '[erased]' });

/** What must not be found anywhere once the officer is gone (lower case). */
const TRACES = ['ffoulkes', 'siân', 'sian.ffoulkes', EMAIL, PHONE, '1632 960123', '01632960123'];

const composer = nodemailer.createTransport({ streamTransport: true, buffer: true });
async function compose(options: SendMailOptions): Promise<Buffer> {
  return ((await composer.sendMail(options)) as { message: Buffer }).message;
}

const base64 = (content: string | Buffer, width = 76) =>
  (
    Buffer.from(content)
      .toString('base64')
      .match(new RegExp(`.{1,${width}}`, 'g')) ?? []
  ).join('\r\n');

/** Rough HTML entity decoding, enough to read the HTML as a browser would for these tests. */
const unentity = (html: string) =>
  html
    .replace(/&nbsp;/g, ' ')
    .replace(/&acirc;/g, 'â')
    .replace(/&#(\d+);/g, (_, n: string) => String.fromCodePoint(Number(n)));

/** Every trace found in the text. */
const tracesIn = (text: string) => TRACES.filter((trace) => text.toLowerCase().includes(trace.toLowerCase()));

/** A file's bytes read as UTF-16 in both byte orders, from either alignment. */
function utf16(content: Buffer): string[] {
  return [0, 1].flatMap((from) => {
    const even = Buffer.from(content.subarray(from, from + ((content.length - from) & ~1)));
    return [even.toString('utf16le'), even.swap16().toString('utf16le')];
  });
}

/** Everything a reader of the parsed message sees, attachments' content included (images aside, see below). */
function readable(parsed: ParsedMail): string {
  const files = parsed.attachments.filter((a) => !a.contentType.startsWith('image/'));
  return [
    parsed.from?.text,
    [parsed.to ?? []].flat().map((a) => a.text),
    [parsed.cc ?? []].flat().map((a) => a.text),
    parsed.replyTo?.text,
    parsed.subject,
    parsed.text,
    typeof parsed.html === 'string' ? unentity(parsed.html) : '',
    [...parsed.headers.values()].map((v) => JSON.stringify(v)),
    parsed.attachments.map((a) => a.filename),
    files.map((a) => [a.content.toString('utf8'), a.content.toString('latin1'), ...utf16(a.content)]),
  ]
    .flat(3)
    .join('\n');
}

// An Outlook reply: the text part windows-1252 and quoted-printable with soft line breaks inside
// the address and the number, the HTML base64, both inside multipart/alternative inside
// multipart/mixed with three attachments; the display names are encoded words.
const pdfHead = Buffer.from('%PDF-1.7\n1 0 obj\n<< /Producer (Microsoft Word) /Author (', 'latin1');
const pdfAuthor = Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from(NAME, 'utf16le').swap16()]);
const pdfMiddle = Buffer.concat([Buffer.from(') >>\nendobj\nstream\n', 'latin1'), crypto.randomBytes(4096)]);
const pdfXmp = Buffer.from(`<dc:creator>${NAME}</dc:creator><pdf:Keywords>${EMAIL}</pdf:Keywords>`, 'utf8');
const pdfTail = Buffer.concat([crypto.randomBytes(4096), Buffer.from('\nendstream\n%%EOF\n', 'latin1')]);
const pdf = Buffer.concat([pdfHead, pdfAuthor, pdfMiddle, pdfXmp, pdfTail]);
// An image that holds the forename alone by chance: bytes that are not text lose only whole identifiers.
const png = Buffer.concat([Buffer.from('89504e470d0a1a0a', 'hex'), crypto.randomBytes(3000), Buffer.from('Siân')]);
const html = [
  '<html><head><meta charset="utf-8"></head><body>',
  '<p>Dear casework team,</p><p>Our response is attached.</p>',
  '<p>Kind regards,<br>Si&acirc;n&nbsp;Ffoulkes<br>Complaints Manager<br>',
  `Tel: 01632&nbsp;960123<br><a href="mailto:${EMAIL}">sian.ffoulkes&#64;conwy-council.example</a></p>`,
  '<img src="cid:logo@conwy-council.example"></body></html>',
].join('\r\n');
const outlook = Buffer.from(
  [
    'Received: from mail.conwy-council.example (mail.conwy-council.example [192.0.2.10])',
    '\tby mx.liaison.test with ESMTPS; Tue, 3 Nov 2026 10:15:02 +0000',
    'From: =?utf-8?B?U2nDom4gRmY=?= =?utf-8?B?b3Vsa2Vz?= <sian.ffoulkes@conwy-council.example>',
    'To: "casework" <case+abc123@liaison.test>',
    'Cc: =?windows-1252?Q?Si=E2n_Ffoulkes?= <sian.ffoulkes@conwy-council.example>,',
    ' "Gareth Jones" <gareth.jones@conwy-council.example>',
    'Subject: =?utf-8?Q?RE:_Enquiry_=E2=80=93_call_from_Si=C3=A2n_Ffoulkes?=',
    'Date: Tue, 3 Nov 2026 10:15:00 +0000',
    'Message-ID: <DB9PR01MB1234@DB9PR01MB1234.eurprd01.prod.outlook.com>',
    'MIME-Version: 1.0',
    'Content-Type: multipart/mixed;',
    '\tboundary="_004_DB9PR01MB1234_"',
    '',
    'This is a multi-part message in MIME format.',
    '',
    '--_004_DB9PR01MB1234_',
    'Content-Type: multipart/alternative;',
    '\tboundary="_000_DB9PR01MB1234_"',
    '',
    '--_000_DB9PR01MB1234_',
    'Content-Type: text/plain; charset="windows-1252"',
    'Content-Transfer-Encoding: quoted-printable',
    '',
    'Dear casework team,',
    '',
    'Our response is attached. The caf=E9 meeting is on Tuesday.',
    '',
    'Si=E2n Ffoulkes, Complaints Manager. Write to sian.ffoul=',
    'kes@conwy-council.example or call 01632=',
    ' 960123.',
    '',
    '--_000_DB9PR01MB1234_',
    'Content-Type: text/html; charset="utf-8"',
    'Content-Transfer-Encoding: base64',
    '',
    base64(html),
    '',
    '--_000_DB9PR01MB1234_--',
    '',
    '--_004_DB9PR01MB1234_',
    'Content-Type: text/plain; charset="utf-8"',
    "Content-Disposition: attachment; filename*=utf-8''Si%C3%A2n%20Ffoulkes%20notes.txt",
    'Content-Transfer-Encoding: base64',
    '',
    base64(`Notes by ${NAME} (${EMAIL}), ${PHONE}.\r\n`),
    '',
    '--_004_DB9PR01MB1234_',
    'Content-Type: application/pdf; name="response.pdf"',
    'Content-Disposition: attachment; filename="response.pdf"',
    'Content-Transfer-Encoding: base64',
    '',
    base64(pdf),
    '',
    '--_004_DB9PR01MB1234_',
    'Content-Type: image/png; name="image001.png"',
    'Content-Disposition: inline; filename="image001.png"',
    'Content-ID: <logo@conwy-council.example>',
    'Content-Transfer-Encoding: base64',
    '',
    base64(png, 72),
    '',
    '--_004_DB9PR01MB1234_--',
    '',
  ].join('\r\n'),
  'latin1',
);

describe('removing a person from a message source', () => {
  it('finds them in base64 and quoted-printable parts, encoded words and file names, and nowhere else changes', async () => {
    // The values are there, but a search of the raw bytes misses all but the plain header ones.
    const before = await simpleParser(outlook);
    expect(tracesIn(readable(before))).toEqual(expect.arrayContaining(['ffoulkes', 'siân', EMAIL, PHONE]));
    expect(outlook.toString('latin1')).not.toContain(PHONE);
    const inBytes = ALL.reduce(
      (raw, value) => raw.replace(new RegExp(value.replace(/[.+]/g, '\\$&'), 'gi'), '[erased]'),
      outlook.toString('latin1'),
    );
    expect(tracesIn(readable(await simpleParser(Buffer.from(inBytes, 'latin1'))))).toEqual(
      expect.arrayContaining(['ffoulkes', 'siân', EMAIL, PHONE]),
    );

    const after = await redactor.message(outlook);
    const raw = after.toString('latin1');

    expect(tracesIn(raw)).toEqual([]);
    expect(tracesIn(after.toString('utf8'))).toEqual([]);
    const parsed = await simpleParser(after);
    expect(tracesIn(readable(parsed))).toEqual([]);

    // What the reader now sees in the person's place.
    expect(parsed.from?.value).toEqual([{ name: '[erased]', address: '[erased]' }]);
    expect(parsed.subject).toBe('RE: Enquiry – call from [erased]');
    expect(parsed.cc && !Array.isArray(parsed.cc) ? parsed.cc.value : []).toEqual([
      { name: '[erased]', address: '[erased]' },
      { name: 'Gareth Jones', address: 'gareth.jones@conwy-council.example' },
    ]);
    expect(parsed.text).toBe(
      'Dear casework team,\n\nOur response is attached. The café meeting is on Tuesday.\n\n' +
        '[erased], Complaints Manager. Write to [erased] or call [erased].\n',
    );
    expect(parsed.html).toContain('Kind regards,<br>[erased]<br>Complaints Manager<br>');
    expect(parsed.html).toContain('Tel: [erased]<br><a href="mailto:[erased]">[erased]</a>');
    expect(parsed.attachments.map((a) => [a.filename, a.contentType])).toEqual([
      ['[erased] notes.txt', 'text/plain'],
      ['response.pdf', 'application/pdf'],
      ['image001.png', 'image/png'],
    ]);
    expect(parsed.attachments[0]?.content.toString()).toBe('Notes by [erased] ([erased]), [erased].\r\n');

    // The PDF loses the identifiers in place, every other byte (and so its offsets) as it was.
    const keptPdf = parsed.attachments[1]?.content ?? Buffer.alloc(0);
    expect(keptPdf).toHaveLength(pdf.length);
    const at = (buffer: Buffer, start: number, length: number) => buffer.subarray(start, start + length);
    expect(at(keptPdf, 0, pdfHead.length).equals(pdfHead)).toBe(true);
    expect(at(keptPdf, pdfHead.length + pdfAuthor.length, pdfMiddle.length).equals(pdfMiddle)).toBe(true);
    expect(at(keptPdf, pdf.length - pdfTail.length, pdfTail.length).equals(pdfTail)).toBe(true);
    expect(
      at(keptPdf, pdfHead.length + 2, NAME.length * 2)
        .swap16()
        .toString('utf16le'),
    ).toBe('[erased]     ');
    // The image holds no identifier, only the forename by chance: its encoded bytes are untouched.
    expect(parsed.attachments[2]?.content.equals(png)).toBe(true);
    expect(raw).toContain(base64(png, 72));

    // Headers, preamble and structure that did not name the person are byte for byte the same: of
    // the lines without a trace, only the rest of the soft-broken address and number are gone.
    const lines = (source: Buffer) => source.toString('latin1').split('\r\n');
    const kept = new Set(lines(after));
    const encoded = /^[A-Za-z0-9+/]{8,}={0,2}$/;
    expect(
      lines(outlook).filter((line) => !encoded.test(line) && tracesIn(line).length === 0 && !kept.has(line)),
    ).toEqual(['kes@conwy-council.example or call 01632=', ' 960123.']);
    // The PDF is encoded again in lines as long as before, the same but where the identifiers were.
    expect(
      base64(pdf)
        .split('\r\n')
        .filter((line) => !kept.has(line)).length,
    ).toBeLessThanOrEqual(5);
    expect(raw).toContain(
      'Content-Type: text/plain; charset="windows-1252"\r\nContent-Transfer-Encoding: quoted-printable',
    );
    expect(raw).toContain('Our response is attached. The caf=E9 meeting is on Tuesday.');
    expect(raw).toContain('Content-Type: text/html; charset="utf-8"\r\nContent-Transfer-Encoding: base64');
    expect(parsed.messageId).toBe(before.messageId);
    expect(parsed.date).toEqual(before.date);
  });

  it('reads messages as a mail client writes them: base64 text, quoted-printable HTML, attachments', async () => {
    const source = await compose({
      from: { name: `${NAME} (Conwy County Borough Council)`, address: EMAIL },
      to: 'case+abc123@liaison.test',
      subject: `Ymateb gan ${NAME} – our reference 2026/0042`,
      text: `Bore da,\n\nI will be away; please call ${PHONE} or write to ${EMAIL}.\n\n${NAME}\n`,
      textEncoding: 'base64', // the text and the HTML
      html: `<p>Bore da,</p><p>I will be away; please call <b>${PHONE}</b> or write to <a href="mailto:${EMAIL}">${EMAIL}</a>.</p><p>${NAME} – Rheolwr Cwynion</p>`,
      attachments: [
        {
          filename: `Datganiad ${NAME}.txt`,
          content: `Datganiad gan ${NAME}, ${EMAIL}, a very long line that quoted-printable has to break somewhere.`,
          contentTransferEncoding: 'quoted-printable',
        },
        { filename: 'data.bin', content: crypto.randomBytes(2048) },
      ],
    });
    expect(source.toString('latin1')).toMatch(/Content-Transfer-Encoding: quoted-printable/);
    expect(source.toString('latin1')).toMatch(/Content-Transfer-Encoding: base64/);

    const after = await redactor.message(source);
    const parsed = await simpleParser(after);
    const before = await simpleParser(source);

    expect(tracesIn(after.toString('latin1'))).toEqual([]);
    expect(tracesIn(readable(parsed))).toEqual([]);
    expect(parsed.from?.text).toBe('"[erased] (Conwy County Borough Council)" <[erased]>');
    expect(parsed.subject).toBe('Ymateb gan [erased] – our reference 2026/0042');
    expect(parsed.text).toBe('Bore da,\n\nI will be away; please call [erased] or write to [erased].\n\n[erased]\n');
    expect(parsed.html).toContain('<p>[erased] – Rheolwr Cwynion</p>');
    expect(parsed.attachments.map((a) => a.filename)).toEqual(['Datganiad [erased].txt', 'data.bin']);
    expect(parsed.attachments[1]?.content.equals(before.attachments[1]?.content ?? Buffer.alloc(0))).toBe(true);
    expect(parsed.messageId).toBe(before.messageId);
  });

  it('goes into an attached message, whatever its own encoding', async () => {
    const forwarded = await compose({
      from: { name: NAME, address: EMAIL },
      to: 'colleague@conwy-council.example',
      subject: 'Handover',
      text: `Handover notes from ${NAME}, ${PHONE}.`,
      textEncoding: 'quoted-printable',
    });
    const source = await compose({
      from: 'Gareth Jones <gareth.jones@conwy-council.example>',
      to: 'case+abc123@liaison.test',
      subject: 'Fw: Handover',
      text: 'Forwarded as an attachment.',
      attachments: [
        {
          filename: 'handover.eml',
          content: forwarded,
          contentType: 'message/rfc822',
          contentTransferEncoding: 'base64',
        },
      ],
    });
    const after = await redactor.message(source);
    const parsed = await simpleParser(after);
    const attached = parsed.attachments[0]?.content ?? Buffer.alloc(0);

    expect(tracesIn(readable(parsed))).toEqual([]);
    const inner = await simpleParser(attached);
    expect(inner.from?.text).toBe('"[erased]" <[erased]>');
    expect(inner.text?.trim()).toBe('Handover notes from [erased], [erased].');
    expect(parsed.from?.text).toBe('"Gareth Jones" <gareth.jones@conwy-council.example>');
    expect(parsed.text?.trim()).toBe('Forwarded as an attachment.');
  });

  it('leaves a message that does not name them exactly as it was, and changes nothing the second time', async () => {
    const other = await compose({
      from: 'Gareth Jones <gareth.jones@conwy-council.example>',
      to: 'case+abc123@liaison.test',
      subject: 'Nothing about anyone – ëxtra',
      text: 'Nothing here.',
      html: '<p>Nothing here either.</p>',
      attachments: [{ filename: 'data.bin', content: crypto.randomBytes(4096) }],
    });
    expect((await redactor.message(other)).equals(other)).toBe(true);

    const once = await redactor.message(outlook);
    expect((await redactor.message(once)).equals(once)).toBe(true);

    // A forename that occurs inside the marker does not eat into it.
    const ed = createRedactor({
      identifying: ['Ed Rasmussen'],
      all: ['Ed Rasmussen', 'Ed', 'Rasmussen'],
      marker: '[erased]',
    });
    const message = Buffer.from(
      [
        'Received: from mx.example.test; Wed, 4 Nov 2026 10:00:00 +0000',
        'From: Ed Rasmussen <ed@example.test>',
        'Subject: ed, Ed and ED',
        'Date: Wed, 4 Nov 2026 10:00:00 +0000',
        'Content-Type: text/html; charset=utf-8',
        'Content-Transfer-Encoding: quoted-printable',
        '',
        '<p class=3D"embedded">Ed was here, Ed Rasmussen.</p>',
      ].join('\r\n'),
    );
    const first = await ed.message(message);
    // Field names, dates, encodings and markup are not read for a forename, only the text people read.
    expect(first.toString()).toBe(
      [
        'Received: from mx.example.test; Wed, 4 Nov 2026 10:00:00 +0000',
        'From: [erased] <[erased]@example.test>',
        'Subject: [erased], [erased] and [erased]',
        'Date: Wed, 4 Nov 2026 10:00:00 +0000',
        'Content-Type: text/html; charset=utf-8',
        'Content-Transfer-Encoding: quoted-printable',
        '',
        '<p class=3D"embedded">[erased] was here, [erased].</p>',
      ].join('\r\n'),
    );
    expect((await ed.message(first)).equals(first)).toBe(true);
  });

  it('keeps bare line feeds, and quoted-printable soft breaks, as the source had them', async () => {
    const source = Buffer.from(
      [
        'From: Gareth Jones <gareth.jones@conwy-council.example>',
        'Subject: Cover',
        'Content-Type: text/plain; charset=utf-8',
        'Content-Transfer-Encoding: quoted-printable',
        '',
        'Si=C3=A2n Ffoulkes is away; her number is 01632 96012=',
        '3. Ring the office instead, it is open from nine until five every weekday=',
        ' and on Saturday mornings.',
        '',
      ].join('\n'),
    );
    const after = await redactor.message(source);
    expect(after.includes('\r')).toBe(false);
    expect(after.toString()).toContain('Subject: Cover\nContent-Type: text/plain; charset=utf-8\n');
    expect((await simpleParser(after)).text).toBe(
      '[erased] is away; her number is [erased]. Ring the office instead, it is open from nine until five every weekday and on Saturday mornings.\n',
    );
  });

  it('replaces them in the bytes of a message whose structure cannot be read', async () => {
    const lines = [`From: ${NAME} <${EMAIL}>`, 'Subject: Our response', 'MIME-Version: 1.0'];
    for (let i = 0; i < 1100; i++) lines.push(`Content-Type: multipart/mixed; boundary="part-${i}"`, '', `--part-${i}`);
    lines.push('Content-Type: text/plain', '', `Innermost text, ${PHONE}`);
    const source = Buffer.from(lines.join('\r\n'));
    await expect(simpleParser(source)).rejects.toThrow();

    const after = await redactor.message(source);
    expect(tracesIn(after.toString('utf8'))).toEqual([]);
    expect(after.toString('utf8')).toMatch(/^From: \[erased\] {7}<\[erased\] {27}>\r\nSubject: Our response/);
    expect(after.toString('utf8')).toContain('Innermost text, [erased]    ');
  });

  it('removes them from plain text and from HTML, entities included', () => {
    expect(redactor.text(`Call SIÂN ffoulkes on 01632\u00a0960123 or ${EMAIL.toUpperCase()}`)).toBe(
      'Call [erased] on [erased] or [erased]',
    );
    expect(redactor.html('<p>Si&#xE2;n&nbsp;Ffoulkes, sian.ffoulkes&commat;conwy-council.example</p>')).toBe(
      '<p>[erased], [erased]</p>',
    );
    const apostrophe = createRedactor({
      identifying: ["Siobhán O'Brien"],
      all: ["Siobhán O'Brien", 'Siobhán', "O'Brien"],
      marker: '[erased]',
    });
    expect(apostrophe.text('Siobhán O’Brien')).toBe('[erased]');
    expect(apostrophe.html('Siobh&aacute;n O&#39;Brien and O&rsquo;Brien')).toBe('[erased] and [erased]');
  });
});
