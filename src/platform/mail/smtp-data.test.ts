import { SMTPStream } from 'smtp-server/lib/smtp-stream.js';
import { describe, expect, it } from 'vitest';
import { patchSmtpData, smtpDataPatched } from './smtp-data.ts';

/**
 * Feeds an SMTP session in the given chunks to smtp-server's own stream reader and returns what it
 * read: each message's bytes, and the commands after it.
 */
async function read(chunks: Buffer[]): Promise<{ messages: string[]; commands: string[] }> {
  const stream = new SMTPStream();
  const messages: string[] = [];
  const commands: string[] = [];
  stream.oncommand = (line: Buffer, next: () => void) => {
    const command = line.toString('latin1');
    commands.push(command);
    if (command !== 'DATA') return next();
    const data = stream.startDataMode();
    const parts: Buffer[] = [];
    data.on('data', (c: Buffer) => parts.push(c));
    data.on('end', () => {
      messages.push(Buffer.concat(parts).toString('latin1'));
      stream.continue();
    });
    next();
  };
  for (const chunk of chunks) {
    await new Promise<void>((resolve, reject) => stream.write(chunk, (e) => (e ? reject(e) : resolve())));
  }
  await new Promise<void>((resolve) => stream.end(resolve));
  return { messages, commands };
}

/** A message as SMTP carries it: a leading dot doubled, then CRLF.CRLF (the CRLF stays the message's). */
const stuffed = (message: string) => `${message.replace(/^\./gm, '..')}\r\n.\r\n`;

/**
 * A body of base64 lines, none led by a dot, long enough to span several of the chunks below: the
 * patch's own path. Its length is not what is tested (the patch has no threshold), so it is kept
 * small enough to be fed a byte at a time. The bytes are fixed, so a failure repeats.
 */
const BASE64_BODY = Buffer.from(Array.from({ length: 9 * 1024 }, (_, i) => (i * 31 + 7) % 256))
  .toString('base64')
  .replace(/.{76}/g, '$&\r\n');

const MESSAGES = [
  'Subject: plain\r\n\r\nHello',
  '.starts with a dot\r\n\r\nbody',
  'Subject: dots\r\n\r\n.\r\n..\r\n. not the end\r\n.end',
  `Subject: long\r\n\r\n${BASE64_BODY}\r\n.last line`,
  'Subject: a lone dot line at the start of the body\r\n\r\n.',
];

/** The whole session, and the same split into pieces of the given sizes, in turn. */
function splits(session: Buffer, sizes: number[]): Buffer[] {
  const chunks: Buffer[] = [];
  for (let at = 0, i = 0; at < session.length; i++) {
    const size = sizes[i % sizes.length] ?? 1;
    chunks.push(session.subarray(at, at + size));
    at += size;
  }
  return chunks;
}

async function readsEveryWay(): Promise<void> {
  for (const message of MESSAGES) {
    const session = Buffer.from(`DATA\r\n${stuffed(message)}QUIT\r\n`, 'latin1');
    for (const sizes of [[session.length], [1], [2, 3], [5], [4096], [4096, 7], [1000, 1, 2, 3, 4]]) {
      const result = await read(splits(session, sizes));
      expect(result.messages, `${message.slice(0, 30)} in pieces of ${sizes.join(', ')}`).toEqual([`${message}\r\n`]);
      expect(result.commands).toEqual(['DATA', 'QUIT']);
    }
  }
  // The end of the message at every place a chunk can end: the command after it is a command.
  const session = Buffer.from(`DATA\r\n${stuffed('Subject: x\r\n\r\nbody\r\n..\r\nend')}RSET\r\n`, 'latin1');
  for (let cut = 1; cut < session.length; cut++) {
    const result = await read([session.subarray(0, cut), session.subarray(cut)]);
    expect(result.messages).toEqual(['Subject: x\r\n\r\nbody\r\n..\r\nend\r\n']);
    expect(result.commands).toEqual(['DATA', 'RSET']);
  }
}

describe('reading SMTP DATA', () => {
  it('reads every message and what follows it, however the chunks fall, before and after the patch', async () => {
    await readsEveryWay();
    patchSmtpData();
    expect(smtpDataPatched()).toBe(true);
    await readsEveryWay();
  });
});
