/**
 * A multipart/form-data body (RFC 7578) as a browser sends an upload form: its text fields in
 * order, then at most one file. Pass the form's `_csrf` among the fields: the CSRF check reads it
 * from the fields sent before the file (never from the address).
 */
export function multipartForm(
  fields: Record<string, string> | readonly (readonly [string, string])[],
  file?: { field?: string; name: string; bytes: Buffer; type?: string },
): { payload: Buffer; headers: { 'content-type': string } } {
  const boundary = '----liaisonform';
  const parts: Buffer[] = [];
  for (const [name, value] of Array.isArray(fields) ? fields : Object.entries(fields))
    parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`));
  if (file)
    parts.push(
      Buffer.from(
        `--${boundary}\r\nContent-Disposition: form-data; name="${file.field ?? 'file'}"; filename="${file.name}"\r\n` +
          `Content-Type: ${file.type ?? 'application/octet-stream'}\r\n\r\n`,
      ),
      file.bytes,
      Buffer.from('\r\n'),
    );
  parts.push(Buffer.from(`--${boundary}--\r\n`));
  return { payload: Buffer.concat(parts), headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } };
}
