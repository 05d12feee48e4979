import crypto from 'node:crypto';
import type { Kysely } from 'kysely';
import type { EncryptionKey } from '../../config.ts';
import type { Database } from '../../platform/db/schema.ts';
import { AccountsRepository } from './accounts.repository.ts';

/**
 * Two-factor secrets are kept encrypted (AES-256-GCM) under a key from TOTP_ENCRYPTION_KEYS, bound
 * to their user: `t1:<key id>:<base64url of nonce, tag and ciphertext>`. A secret copied to another
 * user's row does not open. The newest key encrypts; older keys still open what they encrypted
 * until `encryptTotpSecrets` has re-encrypted it under the newest.
 */
const PREFIX = 't1';
const NONCE_BYTES = 12;
const TAG_BYTES = 16;

export class TotpSecretBox {
  private readonly keys: ReadonlyMap<string, Buffer>;
  private readonly current: EncryptionKey;

  constructor(keys: readonly EncryptionKey[]) {
    const [current] = keys;
    if (!current) throw new Error('At least one two-factor encryption key is needed');
    this.current = current;
    this.keys = new Map(keys.map((k) => [k.id, k.key]));
  }

  seal(userId: string, secret: string): string {
    const nonce = crypto.randomBytes(NONCE_BYTES);
    const cipher = crypto.createCipheriv('aes-256-gcm', this.current.key, nonce);
    cipher.setAAD(associatedData(userId, this.current.id));
    const body = Buffer.concat([cipher.update(secret, 'utf8'), cipher.final()]);
    return `${PREFIX}:${this.current.id}:${Buffer.concat([nonce, cipher.getAuthTag(), body]).toString('base64url')}`;
  }

  /** The secret, or null when the stored value is not one this key ring can open. */
  open(userId: string, stored: string): string | null {
    const parsed = parse(stored);
    const key = parsed ? this.keys.get(parsed.keyId) : undefined;
    if (!parsed || !key) return null;
    const raw = parsed.raw;
    if (raw.length <= NONCE_BYTES + TAG_BYTES) return null;
    try {
      const decipher = crypto.createDecipheriv('aes-256-gcm', key, raw.subarray(0, NONCE_BYTES));
      decipher.setAAD(associatedData(userId, parsed.keyId));
      decipher.setAuthTag(raw.subarray(NONCE_BYTES, NONCE_BYTES + TAG_BYTES));
      return Buffer.concat([decipher.update(raw.subarray(NONCE_BYTES + TAG_BYTES)), decipher.final()]).toString('utf8');
    } catch {
      return null;
    }
  }

  /** Whether a stored value is already encrypted under the newest key. */
  isCurrent(stored: string): boolean {
    return parse(stored)?.keyId === this.current.id;
  }
}

const associatedData = (userId: string, keyId: string) => Buffer.from(`liaison-totp:${userId}:${keyId}`, 'utf8');

function parse(stored: string): { keyId: string; raw: Buffer } | null {
  const match = /^t1:([A-Za-z0-9_-]{1,32}):([A-Za-z0-9_-]+)$/.exec(stored);
  if (!match?.[1] || !match[2]) return null;
  return { keyId: match[1], raw: Buffer.from(match[2], 'base64url') };
}

/** A secret stored before encryption: base32, as authenticator apps take it. */
const isPlainSecret = (stored: string) => /^[A-Z2-7]+=*$/.test(stored);

export interface SecretsEncrypted {
  /** Plain-text secrets now encrypted. */
  encrypted: number;
  /** Secrets moved from an older key to the newest. */
  reencrypted: number;
  /** Secrets under a key no longer configured (or damaged): left as they are, and unusable. */
  unreadable: number;
}

/**
 * Encrypts every two-factor secret still in plain text and re-encrypts those under an older key
 * with the newest. Run at start-up, after the migrations; safe to run again and from several
 * processes at once (a row changed meanwhile is left to the other).
 */
export async function encryptTotpSecrets(db: Kysely<Database>, box: TotpSecretBox): Promise<SecretsEncrypted> {
  const result: SecretsEncrypted = { encrypted: 0, reencrypted: 0, unreadable: 0 };
  const repo = new AccountsRepository(db);
  const rows = await repo.listTotpSecrets();
  for (const row of rows) {
    const stored = row.totp_secret;
    if (stored === null || box.isCurrent(stored)) continue;
    let secret: string | null;
    let kind: 'encrypted' | 'reencrypted';
    if (isPlainSecret(stored)) {
      secret = stored;
      kind = 'encrypted';
    } else {
      secret = box.open(row.id, stored);
      kind = 'reencrypted';
    }
    if (secret === null) {
      result.unreadable += 1;
      continue;
    }
    if (await repo.replaceTotpSecret(row.id, stored, box.seal(row.id, secret))) result[kind] += 1;
  }
  return result;
}
