import type { DbOrTx } from '../../platform/db/database.ts';
import type { RawMailStore } from '../../platform/mail/raw-store.ts';
import { createRedactor } from '../../platform/mail/redact.ts';
import { CorrespondenceErasureRepository } from './correspondence-erasure.repository.ts';

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
  const repo = new CorrespondenceErasureRepository(db);

  if (addresses.length > 0) await repo.eraseDeliveryAddresses(addresses);

  const items = await repo.itemsNaming(person.authorityId, identifying, addresses);
  for (const row of items) {
    await repo.updateItem(row.id, {
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
    });
  }

  const inbound = await repo.inboundNaming(person.authorityId, identifying, addresses);
  for (const row of inbound) {
    if (row.raw_key !== null) await rawMail.rewrite(row.raw_key, (source) => redactor.message(source));
    await repo.updateInbound(row.id, {
      envelope_from:
        row.envelope_from && addresses.includes(row.envelope_from.toLowerCase()) ? ERASED : row.envelope_from,
      from_address: row.from_address === null ? null : redact(row.from_address),
      to_addresses: row.to_addresses === null ? null : redact(row.to_addresses),
      subject: row.subject === null ? null : redact(row.subject),
      text_body: row.text_body === null ? null : redact(row.text_body),
      html_body: row.html_body === null ? null : redactHtml(row.html_body),
      raw_message: row.raw_message === null ? null : await redactor.message(row.raw_message),
    });
  }
}
