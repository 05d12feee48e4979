/**
 * Recognising mail that no person wrote: delivery status notifications (RFC 3464 bounces) and
 * automatic replies (RFC 3834 and the common vendor signals). Pure functions over the raw source or
 * the headers, so they can be tested on real-looking samples.
 */

// Delivery status notifications ---------------------------------------------------------------

export interface DsnRecipient {
  /** The address the report is about (Final-Recipient, else Original-Recipient). */
  recipient: string;
  /** failed | delayed | delivered | relayed | expanded */
  action: string;
  /** Enhanced status code, e.g. `5.1.1`. */
  status: string;
  diagnostic: string | null;
}

export interface Dsn {
  recipients: DsnRecipient[];
  /** Message-ID of the message the report is about, from the returned headers. */
  originalMessageId: string | null;
}

export type FailureKind = 'permanent' | 'temporary' | 'success';

/** `5.x.x` is permanent, `4.x.x` temporary, `2.x.x` success. */
export function statusKind(status: string): FailureKind {
  if (status.startsWith('5')) return 'permanent';
  if (status.startsWith('4')) return 'temporary';
  return 'success';
}

interface MimePart {
  headers: Map<string, string>;
  body: string;
}

/** Unfolds and splits a header block into lower-case names and values (the first of each name wins). */
export function parseHeaderBlock(block: string): Map<string, string> {
  const headers = new Map<string, string>();
  const unfolded = block.replace(/\r\n/g, '\n').replace(/\n[ \t]+/g, ' ');
  for (const line of unfolded.split('\n')) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    if (!headers.has(name)) headers.set(name, line.slice(colon + 1).trim());
  }
  return headers;
}

function splitHeadersBody(text: string): MimePart {
  const normalised = text.replace(/\r\n/g, '\n');
  const end = normalised.indexOf('\n\n');
  const head = end === -1 ? normalised : normalised.slice(0, end);
  const body = end === -1 ? '' : normalised.slice(end + 2);
  return { headers: parseHeaderBlock(head), body };
}

/** A parameter of a structured header value, e.g. `boundary` of a Content-Type. */
export function headerParam(value: string, name: string): string | null {
  const re = new RegExp(`(?:^|;)\\s*${name}\\s*=\\s*(?:"([^"]*)"|([^;\\s]+))`, 'i');
  const m = re.exec(value);
  return m ? (m[1] ?? m[2] ?? null) : null;
}

function decodeBody(part: MimePart): string {
  const encoding = (part.headers.get('content-transfer-encoding') ?? '').toLowerCase();
  if (encoding === 'base64') return Buffer.from(part.body.replace(/\s+/g, ''), 'base64').toString('utf8');
  if (encoding === 'quoted-printable') {
    return part.body
      .replace(/=\n/g, '')
      .replace(/=([0-9A-F]{2})/gi, (_m, hex: string) => String.fromCharCode(parseInt(hex, 16)));
  }
  return part.body;
}

function multipartChildren(part: MimePart): MimePart[] {
  const boundary = headerParam(part.headers.get('content-type') ?? '', 'boundary');
  if (!boundary) return [];
  const delimiter = `--${boundary}`;
  const out: MimePart[] = [];
  const sections = part.body.split(delimiter);
  for (const section of sections.slice(1)) {
    if (section.startsWith('--')) break;
    out.push(splitHeadersBody(section.replace(/^[ \t]*\n/, '')));
  }
  return out;
}

const mediaType = (part: MimePart) =>
  (part.headers.get('content-type') ?? 'text/plain').split(';')[0]?.trim().toLowerCase();

const stripType = (value: string) => {
  const semi = value.indexOf(';');
  return (semi === -1 ? value : value.slice(semi + 1)).trim().replace(/^<|>$/g, '');
};

/**
 * Reads a delivery status notification: a multipart/report with report-type=delivery-status. Returns
 * null for any other message. Looks one level into a multipart/mixed wrapper, as some relays send.
 */
export function parseDsn(raw: Uint8Array | string): Dsn | null {
  const top = splitHeadersBody(typeof raw === 'string' ? raw : Buffer.from(raw).toString('latin1'));
  const candidates = [top, ...multipartChildren(top).filter((p) => mediaType(p) === 'multipart/report')];
  const report = candidates.find(
    (p) =>
      mediaType(p) === 'multipart/report' &&
      (headerParam(p.headers.get('content-type') ?? '', 'report-type') ?? '').toLowerCase() === 'delivery-status',
  );
  if (!report) return null;
  const parts = multipartChildren(report);
  const statusPart = parts.find((p) => mediaType(p) === 'message/delivery-status');
  if (!statusPart) return null;

  const blocks = decodeBody(statusPart)
    .replace(/\r\n/g, '\n')
    .split(/\n\s*\n/)
    .map((b) => parseHeaderBlock(b))
    .filter((h) => h.size > 0);
  const recipients: DsnRecipient[] = [];
  for (const fields of blocks.slice(1)) {
    const recipient = fields.get('final-recipient') ?? fields.get('original-recipient');
    const status = /\d\.\d{1,3}\.\d{1,3}/.exec(fields.get('status') ?? '')?.[0];
    if (!recipient || !status) continue;
    const diagnostic = fields.get('diagnostic-code');
    recipients.push({
      recipient: stripType(recipient).toLowerCase(),
      action: (fields.get('action') ?? '').toLowerCase(),
      status,
      diagnostic: diagnostic ? stripType(diagnostic) : null,
    });
  }

  let originalMessageId: string | null = null;
  const returned = parts.find((p) => ['text/rfc822-headers', 'message/rfc822'].includes(mediaType(p) ?? ''));
  if (returned) {
    const id = splitHeadersBody(decodeBody(returned)).headers.get('message-id');
    if (id) originalMessageId = /<[^>]+>/.exec(id)?.[0] ?? id;
  }
  return { recipients, originalMessageId };
}

// Automatic replies ---------------------------------------------------------------------------

export interface AutoReplySignals {
  /** Header lookup by lower-case name. */
  header(name: string): string | undefined;
  subject: string | null;
  /** The envelope sender; empty (`<>`) for bounces and many auto-replies. */
  envelopeFrom: string | null;
}

const OUT_OF_OFFICE_SUBJECT =
  /^(?:(?:re|aw|fw|fwd)\s*:\s*)*(?:auto(?:matic)?[\s-]*(?:reply|response|antwort)|autoreply|out of (?:the )?office|ooo\b|away from (?:the |my )?office|on (?:annual )?leave|absence notice|i am (?:currently )?(?:out|away))/i;

/**
 * Why a message is an automatic reply, or null when a person sent it. Auto-replies are recorded on
 * the case but never count as the authority's response, and nothing is ever sent back to them.
 */
export function autoReplyReason(signals: AutoReplySignals): string | null {
  const autoSubmitted = signals.header('auto-submitted')?.trim().toLowerCase();
  if (autoSubmitted && autoSubmitted !== 'no') return `Auto-Submitted: ${autoSubmitted.split(';')[0]}`;
  if (signals.header('x-autoreply') !== undefined) return 'X-Autoreply';
  if (signals.header('x-autorespond') !== undefined) return 'X-Autorespond';
  const precedence = signals.header('precedence')?.trim().toLowerCase();
  if (precedence && ['auto_reply', 'bulk', 'junk', 'list'].includes(precedence)) return `Precedence: ${precedence}`;
  const suppress = signals.header('x-auto-response-suppress');
  if (
    suppress !== undefined &&
    /\b(all|oof|autoreply)\b/i.test(suppress) &&
    signals.header('x-ms-exchange-generated-message-source')
  )
    return 'Exchange automatic reply';
  if (signals.subject && OUT_OF_OFFICE_SUBJECT.test(signals.subject.trim())) return 'Out-of-office subject';
  return null;
}

/** True when the message came from the null sender (`<>`), as bounces and many auto-replies do. */
export const fromNullSender = (envelopeFrom: string | null): boolean =>
  envelopeFrom === null || envelopeFrom.trim() === '' || envelopeFrom.trim() === '<>';
