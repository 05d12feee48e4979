/**
 * A rendered page as UTF-8 bytes, encoded in one pass. `Buffer.from(text, 'utf8')` passes over the
 * text twice (once to measure, once to write); here the text is written into one reused buffer and
 * the bytes copied out. A page that may not have fitted is encoded the usual way. Each call returns
 * a buffer of its own, as the response may still be sending it when the next page is encoded.
 */
export class PageEncoder {
  private readonly scratch: Buffer;

  constructor(scratchBytes = 256 * 1024) {
    this.scratch = Buffer.allocUnsafeSlow(scratchBytes);
  }

  encode(text: string): Buffer {
    const written = this.scratch.write(text, 'utf8');
    // write() stops before a character that does not fit whole (up to 4 bytes), so a page that
    // comes within 4 bytes of the end may have been cut short.
    if (written > this.scratch.length - 4) return Buffer.from(text, 'utf8');
    return Buffer.from(this.scratch.subarray(0, written));
  }
}
