import { createRequire } from 'node:module';
import type { Writable } from 'node:stream';
import { SMTPStream } from 'smtp-server/lib/smtp-stream.js';

/**
 * A faster reading of SMTP DATA for smtp-server. Its `_feedDataStream` looks at every byte of a
 * message in a JavaScript loop for a line that starts with a dot (the end of the message, or a dot
 * doubled by the sender): for a reply with a 1 MB attachment that loop was the gateway's largest
 * single cost after parsing. A native search (`Buffer#indexOf`) finds the same places.
 *
 * The patch takes only the common case: a chunk with no line starting with a dot, away from the
 * start of the message. Any chunk that has one, and the first chunk of every message, go to
 * smtp-server's own method, which knows the end of the message and its escapes (and their
 * security fixes). For the common case the patch does what that method does when its loop finds
 * nothing: it keeps the last four bytes for the next chunk and passes the rest on.
 *
 * It applies to the smtp-server version it was written against only (`PATCHED_VERSION`); any
 * other leaves smtp-server as it is, and the test that checks the patch is in place fails, so an
 * upgrade is a prompt to look again.
 */
export const PATCHED_VERSION = '3.21.6';

const LINE_DOT = Buffer.from('\n.');

interface DataStreamState {
  _dataStream: Writable & { destroyed: boolean };
  _lastBytes: Buffer | false;
  _atDataStart: boolean;
  _countDataBytes(length: number): void;
}

type Feed = (this: DataStreamState, chunk: Buffer, done: () => void) => void;

const prototype = SMTPStream.prototype as unknown as { _feedDataStream: Feed; liaisonFastData?: true };

/** Whether smtp-server's DATA reading is the faster one. */
export function smtpDataPatched(): boolean {
  return prototype.liaisonFastData === true;
}

function installedVersion(): string | null {
  try {
    const pkg = createRequire(import.meta.url)('smtp-server/package.json') as { version?: string };
    return pkg.version ?? null;
  } catch {
    return null;
  }
}

/** Puts the faster reading in place (once; nothing on another smtp-server version). */
export function patchSmtpData(): void {
  if (prototype.liaisonFastData || installedVersion() !== PATCHED_VERSION) return;
  const original = prototype._feedDataStream;
  if (typeof original !== 'function') return;
  prototype._feedDataStream = function feed(this: DataStreamState, input: Buffer, done: () => void): void {
    let chunk = input;
    if (this._lastBytes && this._lastBytes.length) {
      chunk = Buffer.concat([this._lastBytes, chunk], this._lastBytes.length + chunk.length);
      this._lastBytes = false;
    }
    // smtp-server's loop looks at positions 2 to length - 3 for a dot after a line feed.
    const lineDot = chunk.indexOf(LINE_DOT, 1);
    if (this._atDataStart || (lineDot >= 0 && lineDot + 1 <= chunk.length - 3)) {
      original.call(this, chunk, done);
      return;
    }
    const dataStream = this._dataStream;
    this._lastBytes = chunk.length < 4 ? chunk : chunk.subarray(chunk.length - 4);
    if (this._lastBytes.length >= chunk.length) return done();
    const buf = chunk.subarray(0, chunk.length - this._lastBytes.length);
    this._countDataBytes(buf.length);
    if (!dataStream.writable) return done();
    if (dataStream.write(buf) || dataStream.destroyed) return done();
    // A stream that the application destroys never drains, it only closes.
    const onDrain = () => {
      dataStream.removeListener('drain', onDrain);
      dataStream.removeListener('close', onDrain);
      done();
    };
    dataStream.once('drain', onDrain);
    dataStream.once('close', onDrain);
  };
  prototype.liaisonFastData = true;
}
