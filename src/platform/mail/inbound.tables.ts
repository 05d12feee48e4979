/** Columns of `inbound_messages` added after the table's first shape (see migrations/0093). */
declare module '../db/schema.ts' {
  interface InboundMessagesTable {
    /** SHA-256 (hex) of the message's source as received; null for messages stored before. */
    content_sha256: string | null;
  }
}

export {};
