import type { Readable } from 'node:stream';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { FilesService } from '../platform/files/files.service.ts';

export interface Upload {
  filename: string;
  bytes: Buffer;
  /** The form's other fields (sent before the file). */
  fields: Record<string, string>;
}

/**
 * Reads the one uploaded file of a multipart form, refusing it past the documents' size limit.
 * Null when the form is not multipart or no file was chosen. The content is checked by the files
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
  if (bytes.length === 0 && !file.filename) return null;
  return { filename: file.filename, bytes, fields };
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
