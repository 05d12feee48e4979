import crypto from 'node:crypto';
import { hash, verify } from '@node-rs/argon2';

/** argon2id with the library's defaults: slow on purpose, so each guess costs an attacker the same. */
export const hashPassword = (password: string): Promise<string> => hash(password);

export async function verifyPassword(passwordHash: string | null, password: string): Promise<boolean> {
  if (!passwordHash) {
    // Spend the same time as a real check so timing does not reveal which accounts exist.
    await verify(DUMMY_HASH, password).catch(() => false);
    return false;
  }
  return verify(passwordHash, password).catch(() => false);
}

const DUMMY_HASH = '$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$TtE5qmMfvdGFwS6XzxV0QFFZN2vE0Dz+ALsM1a+RGgc';

/** A random bearer secret (sessions, one-time links, API tokens) and the hash stored for it. */
export const newSecret = (): string => crypto.randomBytes(32).toString('base64url');
export const hashSecret = (secret: string): string => crypto.createHash('sha256').update(secret).digest('hex');
