import { sql } from 'kysely';
import type { DbOrTx } from '../../platform/db/database.ts';
import type { RawMailStore } from '../../platform/mail/raw-store.ts';
import { createRedactor } from '../../platform/mail/redact.ts';

/** Whom to erase: their addresses, and the strings that identify them (see link officers' `erasureNeedles`). */
export interface ErasedPerson {
  authorityId: string;
  /** Addresses that were the person's alone (not a shared inbox). */
  addresses: string[];
  /** Strings that on their own point at the person (full name, addresses, telephone numbers). */
  identifying: string[];
  /** Everything to remove where the person is named: `identifying` and their forename and surname. */
  all: string[];
}

const ERASED = '[erased]';

/**
 * Erasure of a person from correspondence records (called by link officer erasure, in its
 * transaction). Delivery records keep that a delivery happened but not to whom. Messages that name
 * the person (their authority's items; inbound mail from them or on their authority's threads) lose
 * the name, addresses and telephone numbers from their subject, bodies, sender fields and stored
 * source. In the source they go from every header (encoded words and file names included), from
 * the decoded content of every text part (base64 or quoted-printable, in its charset), from
 * attached messages, and from the bytes of other attachments where they stand there uncompressed
 * (see `createRedactor`); each part that changes is encoded again as it was, and the rest of the
 * message is left byte for byte.
 *
 * A source file is rewritten in place before the transaction commits: should the transaction then
 * fail, the file has lost the person and its row has not, which the erasure's retry puts right.
 */
export async function eraseFromCorrespondence(db: DbOrTx, rawMail: RawMailStore, person: ErasedPerson): Promise<void> {
  const addresses = person.addresses.map((a) => a.trim().toLowerCase()).filter((a) => a !== '');
  const identifying = person.identifying.map((n) => n.toLowerCase());
  if (identifying.length === 0 && addresses.length === 0) return;
  const redactor = createRedactor({ identifying: person.identifying, all: person.all, marker: ERASED });
  const redact = redactor.text;
  const redactHtml = redactor.html;
  const names = (text: ReturnType<typeof sql<string>>) =>
    identifying.length === 0
      ? sql<boolean>`false`
      : sql<boolean>`(${sql.join(
          identifying.map((n) => sql`position(${n} in lower(${text})) > 0`),
          sql` OR `,
        )})`;

  if (addresses.length > 0) {
    await db
      .updateTable('correspondence_deliveries')
      .set({ address: sql<string>`'[erased]:' || id::text` })
      .where(sql<string>`lower(address)`, 'in', addresses)
      .execute();
  }

  const items = await db
    .selectFrom('correspondence_items')
    .select(['id', 'subject', 'text_body', 'html_body', 'from_address', 'sender_name'])
    .where((eb) =>
      eb.or([
        eb.and([
          eb('authority_id', '=', person.authorityId),
          names(
            sql<string>`subject || ' ' || text_body || ' ' || coalesce(html_body, '') || ' ' || coalesce(from_address, '')`,
          ),
        ]),
        ...(addresses.length > 0 ? [eb(sql<string>`lower(from_address)`, 'in', addresses)] : []),
      ]),
    )
    .execute();
  for (const row of items) {
    await db
      .updateTable('correspondence_items')
      .set({
        subject: redact(row.subject),
        text_body: redact(row.text_body),
        html_body: row.html_body === null ? null : redactHtml(row.html_body),
        from_address:
          row.from_address === null
            ? null
            : addresses.includes(row.from_address.toLowerCase())
              ? ERASED
              : redact(row.from_address),
        sender_name:
          row.sender_name === null
            ? null
            : row.from_address !== null && addresses.includes(row.from_address.toLowerCase())
              ? ERASED
              : redact(row.sender_name),
      })
      .where('id', '=', row.id)
      .execute();
  }

  const inbound = await db
    .selectFrom('inbound_messages as m')
    .select([
      'm.id',
      'm.envelope_from',
      'm.from_address',
      'm.to_addresses',
      'm.subject',
      'm.text_body',
      'm.html_body',
      'm.raw_key',
    ])
    .select('m.raw_message')
    .where((eb) =>
      eb.or([
        ...(addresses.length > 0
          ? [
              eb(sql<string>`lower(coalesce(m.envelope_from, ''))`, 'in', addresses),
              ...addresses.map((a) =>
                eb(
                  sql`position(${a} in lower(coalesce(m.from_address, '') || ' ' || coalesce(m.to_addresses, '')))`,
                  '>',
                  0,
                ),
              ),
            ]
          : []),
        eb.and([
          eb(
            'm.thread_id',
            'in',
            eb.selectFrom('correspondence_threads').select('id').where('authority_id', '=', person.authorityId),
          ),
          names(
            sql<string>`coalesce(m.from_address, '') || ' ' || coalesce(m.subject, '') || ' ' || coalesce(m.text_body, '') || ' ' || coalesce(m.html_body, '')`,
          ),
        ]),
      ]),
    )
    .execute();
  for (const row of inbound) {
    if (row.raw_key !== null) await rawMail.rewrite(row.raw_key, (source) => redactor.message(source));
    await db
      .updateTable('inbound_messages')
      .set({
        envelope_from:
          row.envelope_from && addresses.includes(row.envelope_from.toLowerCase()) ? ERASED : row.envelope_from,
        from_address: row.from_address === null ? null : redact(row.from_address),
        to_addresses: row.to_addresses === null ? null : redact(row.to_addresses),
        subject: row.subject === null ? null : redact(row.subject),
        text_body: row.text_body === null ? null : redact(row.text_body),
        html_body: row.html_body === null ? null : redactHtml(row.html_body),
        raw_message: row.raw_message === null ? null : await redactor.message(row.raw_message),
      })
      .where('id', '=', row.id)
      .execute();
  }
}
