import { sql } from 'kysely';
import type { DbOrTx } from '../../platform/db/database.ts';
import type { RawMailStore } from '../../platform/mail/raw-store.ts';

/**
 * Erasure of a person's address from correspondence records (called by link officer erasure, in its
 * transaction): delivery records keep that a delivery happened but not to whom; inbound mail from
 * the address loses it from its sender fields and its stored source.
 *
 * A source file is rewritten in place before the transaction commits: should the transaction then
 * fail, the file has lost the address and its row has not, which the erasure's retry puts right.
 */
export async function eraseAddressFromCorrespondence(
  db: DbOrTx,
  rawMail: RawMailStore,
  address: string,
): Promise<void> {
  const needle = address.trim().toLowerCase();
  if (needle === '') return;
  const ERASED = '[erased]';
  await db
    .updateTable('correspondence_deliveries')
    .set({ address: sql<string>`'[erased]:' || id::text` })
    .where(sql<boolean>`lower(address) = ${needle}`)
    .execute();
  await db
    .updateTable('correspondence_items')
    .set({ from_address: ERASED })
    .where(sql<boolean>`lower(from_address) = ${needle}`)
    .execute();
  const inbound = await db
    .selectFrom('inbound_messages')
    .select(['id', 'envelope_from', 'from_address', 'to_addresses', 'text_body', 'html_body', 'raw_key', 'raw_message'])
    .where((eb) =>
      eb.or([
        eb(sql`lower(coalesce(envelope_from, ''))`, '=', needle),
        eb(sql`position(${needle} in lower(coalesce(from_address, '') || ' ' || coalesce(to_addresses, '')))`, '>', 0),
      ]),
    )
    .execute();
  const pattern = new RegExp(needle.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'), 'gi');
  const redact = (source: Uint8Array) =>
    Buffer.from(Buffer.from(source).toString('latin1').replace(pattern, ERASED), 'latin1');
  for (const row of inbound) {
    if (row.raw_key !== null) await rawMail.rewrite(row.raw_key, redact);
    await db
      .updateTable('inbound_messages')
      .set({
        envelope_from: row.envelope_from && row.envelope_from.toLowerCase() === needle ? ERASED : row.envelope_from,
        from_address: row.from_address?.replace(pattern, ERASED) ?? null,
        to_addresses: row.to_addresses?.replace(pattern, ERASED) ?? null,
        text_body: row.text_body?.replace(pattern, ERASED) ?? null,
        html_body: row.html_body?.replace(pattern, ERASED) ?? null,
        raw_message: row.raw_message === null ? null : redact(row.raw_message),
      })
      .where('id', '=', row.id)
      .execute();
  }
}
