import crypto from 'node:crypto';

/**
 * Reply addresses unique to a case thread: `case+<token>@<mail domain>`. The token is random (80
 * bits, stored with the thread), written in an alphabet without look-alike letters, and read back
 * forgivingly: any letter case, `l`/`i` for `1`, `o` for `0`, and stray spaces, dots or dashes that a
 * person retyping the address might add.
 */

/** Crockford's base 32 digits: no i, l, o or u. */
export const TOKEN_ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz';
export const TOKEN_LENGTH = 16;
const LOCAL_PREFIX = 'case+';

/** A new random reply token. */
export function newReplyToken(): string {
  const bytes = crypto.randomBytes(TOKEN_LENGTH);
  let out = '';
  for (const byte of bytes) out += TOKEN_ALPHABET.charAt(byte % 32);
  return out;
}

/** A token as a person may have typed it, in the stored form; null when it cannot be one. */
export function normaliseReplyToken(typed: string): string | null {
  const cleaned = typed
    .toLowerCase()
    .replace(/[\s.\-_]/g, '')
    .replace(/[il]/g, '1')
    .replace(/o/g, '0');
  if (cleaned.length !== TOKEN_LENGTH) return null;
  for (const ch of cleaned) if (!TOKEN_ALPHABET.includes(ch)) return null;
  return cleaned;
}

export function replyAddress(token: string, domain: string): string {
  return `${LOCAL_PREFIX}${token}@${domain}`;
}

/** The stored token in a reply address at our domain (e.g. `CASE+ABCD...@Domain`); null for any other address. */
export function replyTokenFromAddress(address: string, domain: string): string | null {
  const trimmed = address.trim().replace(/^<|>$/g, '');
  const at = trimmed.lastIndexOf('@');
  if (at <= 0 || trimmed.slice(at + 1).toLowerCase() !== domain.toLowerCase()) return null;
  const local = trimmed.slice(0, at).toLowerCase();
  if (!local.startsWith(LOCAL_PREFIX)) return null;
  return normaliseReplyToken(local.slice(LOCAL_PREFIX.length));
}

/**
 * The envelope sender (Return-Path) of one outgoing message: `bounce+<outbox id>@domain`, so a
 * delivery report names the exact message and recipient that failed.
 */
export function bounceAddress(outboxId: string, domain: string): string {
  return `bounce+${outboxId}@${domain}`;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export function outboxIdFromBounceAddress(address: string, domain: string): string | null {
  const trimmed = address.trim().replace(/^<|>$/g, '').toLowerCase();
  const suffix = `@${domain.toLowerCase()}`;
  if (!trimmed.startsWith('bounce+') || !trimmed.endsWith(suffix)) return null;
  const id = trimmed.slice('bounce+'.length, -suffix.length);
  return UUID.test(id) ? id : null;
}

/** The outbox id in one of our Message-IDs, `<outbox id@domain>`; null for any other. */
export function outboxIdFromMessageId(messageId: string, domain: string): string | null {
  const m = /^<?([^@<>\s]+)@([^>\s]+)>?$/.exec(messageId.trim());
  if (!m || m[2]?.toLowerCase() !== domain.toLowerCase()) return null;
  const id = m[1]?.toLowerCase() ?? '';
  return UUID.test(id) ? id : null;
}

/** The Message-ID that stands for a whole case thread, carried in References of every message on it. */
export function threadMessageId(threadId: string, domain: string): string {
  return `<thread-${threadId}@${domain}>`;
}

export function threadIdFromMessageId(messageId: string, domain: string): string | null {
  const m = /^<?thread-([^@<>\s]+)@([^>\s]+)>?$/i.exec(messageId.trim());
  if (!m || m[2]?.toLowerCase() !== domain.toLowerCase()) return null;
  const id = m[1]?.toLowerCase() ?? '';
  return UUID.test(id) ? id : null;
}
