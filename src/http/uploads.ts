import type { Readable } from 'node:stream';
import type { MultipartFile } from '@fastify/multipart';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { DomainError, invalid } from '../platform/errors.ts';
import type { FilesService } from '../platform/files/files.service.ts';
import { unsafeTextFields } from '../platform/input.ts';

export interface Upload {
  filename: string;
  bytes: Buffer;
  /** The form's other fields (sent before the file). */
  fields: Record<string, string>;
}

/**
 * Reads the one uploaded file of a multipart form, refusing it past the documents' size limit.
 * Null when the form is not multipart or no file was chosen. The form's fields before the file
 * (its `_csrf` among them) were read and checked before the route ran (`readLeadingFields`). The content is checked by the files
 * service when it is stored, not here.
 */
export async function readUpload(files: FilesService, request: FastifyRequest): Promise<Upload | null> {
  if (!request.isMultipart()) return null;
  const file = await request.file({ limits: { fileSize: files.settings.maxBytes, files: 1 } });
  if (!file) return null;
  let bytes: Buffer;
  try {
    bytes = await file.toBuffer();
  } catch (error) {
    if (error instanceof Error && 'code' in error && error.code === 'FST_REQ_FILE_TOO_LARGE')
      throw files.tooLarge('file');
    throw error;
  }
  const fields: Record<string, string> = {};
  for (const [k, v] of Object.entries(file.fields)) {
    const field = Array.isArray(v) ? v[0] : v;
    if (field && 'value' in field && typeof field.value === 'string') fields[k] = field.value;
  }
  // The input boundary for an upload form's fields, which are read here rather than before the handler.
  const unsafe = unsafeTextFields(fields);
  if (unsafe.length > 0) throw invalid(unsafe);
  if (bytes.length === 0 && !file.filename) return null;
  return { filename: file.filename, bytes, fields };
}

/** A file past a route's own limit: the code @fastify/multipart gives its own refusal, which routes check. */
class FileTooLarge extends Error {
  readonly code = 'FST_REQ_FILE_TOO_LARGE';
  constructor() {
    super('The file is too large');
  }
}

/**
 * Reads an upload form's fields up to its file, before the route runs: the CSRF check needs the
 * form's `_csrf` field, which every upload form places before its file input (never in the address,
 * where it would reach logs and referrers). The file itself is not read; the route's own
 * `request.file(...)` is answered with it, its content read under the limit the route gives
 * (`ceilingBytes` bounds what the parser passes on: the largest limit of any upload route).
 * Returns the fields seen before the file (all of them when the form has no file), or null when the
 * body cannot be read as a form. When the caller refuses the request it calls `discard`.
 */
export async function readLeadingFields(
  request: FastifyRequest,
  ceilingBytes: number,
): Promise<{ fields: Record<string, string>; discard: () => void } | null> {
  const parts = request.parts({ limits: { fileSize: ceilingBytes, files: 1 } });
  const fields: Record<string, string> = {};
  let file: MultipartFile | undefined;
  try {
    for (;;) {
      const next = await parts.next();
      if (next.done) break;
      const part = next.value;
      if (part.type === 'file') {
        file = part;
        break;
      }
      if (typeof part.value === 'string' && !(part.fieldname in fields)) fields[part.fieldname] = part.value;
    }
  } catch {
    return null;
  }
  const found = file;
  request.file = async (options) => {
    if (!found) return undefined;
    const limit = options?.limits?.fileSize ?? ceilingBytes;
    found.toBuffer = async () => {
      const chunks: Buffer[] = [];
      let size = 0;
      for await (const chunk of found.file) {
        const buffer = chunk as Buffer;
        size += buffer.length;
        if (size > limit || found.file.truncated) {
          found.file.destroy();
          throw new FileTooLarge();
        }
        chunks.push(buffer);
      }
      if (found.file.truncated) throw new FileTooLarge();
      return Buffer.concat(chunks);
    };
    return found;
  };
  return { fields, discard: () => found?.file.destroy() };
}

type RateLimitCheck = ReturnType<FastifyInstance['createRateLimit']>;

/**
 * A limit on how many times one address may use a route in a time window, for uploads anyone may
 * send: @fastify/rate-limit (registered in app.ts for no route by default), counted by `request.ip`,
 * so by X-Forwarded-For only when TRUST_PROXY says a proxy sets it, and by the /64 for IPv6. The
 * handler calls it before reading the upload, after the route's access and CSRF checks (only real
 * form posts count); past the limit it throws a `rate-limited` error on `field`, which the form
 * shows in its error summary, rather than the plugin's bare 429.
 */
export function perAddressLimit(options: {
  max: number;
  timeWindow: string;
  field: string;
  message: string;
}): (request: FastifyRequest) => Promise<void> {
  let check: RateLimitCheck | null = null;
  return async (request) => {
    check ??= request.server.createRateLimit({ max: options.max, timeWindow: options.timeWindow });
    const limit = await check(request);
    if (!limit.isAllowed && limit.isExceeded)
      throw new DomainError('rate-limited', 'Too many uploads', [{ field: options.field, message: options.message }]);
  };
}

/**
 * Sends a stored document as a download: its checked type, its size, its name (ASCII with a UTF-8
 * form beside it, RFC 6266), never cached by shared caches and never sniffed into another type.
 */
export function sendDocument(
  reply: FastifyReply,
  document: { filename: string; content_type: string; size: number },
  stream: Readable,
): FastifyReply {
  const ascii = document.filename.replace(/[^\x20-\x7e]/g, '_').replace(/["\\]/g, '_');
  return reply
    .type(document.content_type)
    .header('content-length', String(document.size))
    .header(
      'content-disposition',
      `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(document.filename)}`,
    )
    .header('cache-control', 'private, no-store')
    .header('x-content-type-options', 'nosniff')
    .send(stream);
}
