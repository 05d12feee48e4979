import { sql, type RawBuilder } from 'kysely';
import { TOKEN_ALPHABET, TOKEN_LENGTH } from '../../platform/mail/reply-address.ts';

/** A reply token made in SQL from each row's 16 random bytes (`n.random_bytes`), as newReplyToken makes one. */
const REPLY_TOKEN_SQL = sql.raw(
  Array.from(
    { length: TOKEN_LENGTH },
    (_, i) => `substr('${TOKEN_ALPHABET}', get_byte(n.random_bytes, ${i}) % ${TOKEN_ALPHABET.length} + 1, 1)`,
  ).join(' || '),
);

/**
 * The common tables that turn a set of reminder letters into correspondence items, for a sweep that
 * writes thousands in one statement. The statement must already have a common table `letters`
 * (complaint_id, authority_id, subject, text_body, escalation boolean): each letter becomes a
 * reminder on its case's authority thread (made, with a fresh reply token, where there is none),
 * addressed to the link officers, or to the chief executive (as a letter) when `escalation` is true.
 * Adds the tables `new_threads`, `threads` and `items` (one row per item written); put it after
 * `letters` in the WITH list. Deliveries are resolved when the items are dispatched, as for any item.
 */
export function reminderItemsSql(now: Date): RawBuilder<unknown> {
  return sql`
      new_threads AS (
        INSERT INTO correspondence_threads (complaint_id, authority_id, audience, reply_token, created_at)
        SELECT n.complaint_id, n.authority_id, 'authority', ${REPLY_TOKEN_SQL}, ${now}
        FROM (
          SELECT d.complaint_id, d.authority_id, uuid_send(gen_random_uuid()) AS random_bytes
          FROM (
            SELECT DISTINCT l.complaint_id, l.authority_id FROM letters l
            WHERE NOT EXISTS (
              SELECT 1 FROM correspondence_threads th WHERE th.complaint_id = l.complaint_id AND th.audience = 'authority'
            )
          ) d
        ) n
        -- If another transaction made the thread meanwhile, the update returns it.
        ON CONFLICT (complaint_id, audience) DO UPDATE SET reply_token = correspondence_threads.reply_token
        RETURNING id, complaint_id
      ),
      threads AS (
        SELECT id, complaint_id FROM new_threads
        UNION ALL
        SELECT th.id, th.complaint_id FROM correspondence_threads th
        WHERE th.audience = 'authority' AND th.complaint_id IN (SELECT complaint_id FROM letters)
      ),
      items AS (
        INSERT INTO correspondence_items
          (thread_id, complaint_id, authority_id, direction, kind, addressees, is_letter, subject, text_body, created_at)
        SELECT th.id, l.complaint_id, l.authority_id, 'outbound', 'reminder',
          CASE WHEN l.escalation THEN ARRAY['chief-executive'] ELSE ARRAY['link-officers'] END,
          l.escalation, l.subject, l.text_body, ${now}
        FROM letters l JOIN threads th ON th.complaint_id = l.complaint_id
        RETURNING 1
      )`;
}
