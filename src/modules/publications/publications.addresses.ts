import type { Tx } from '../../platform/db/database.ts';
import { DomainError, invalid } from '../../platform/errors.ts';
import { slugOf } from './domain.ts';
import type { PublicationRow, PublicationsRepository } from './publications.repository.ts';

/**
 * A publication's web address (`/publications/<slug>`): made from its title, its own for good. A
 * publication the public has seen keeps its old addresses when its title changes; they redirect.
 */

export const addressTaken = (slug: string): DomainError =>
  invalid([
    {
      field: 'title',
      message: `Another publication has, or had, the web address /publications/${slug}: change the title`,
    },
  ]);

/** Throws when `slug` is, or was, another publication's address. */
export async function checkAddressFree(
  repo: PublicationsRepository,
  trx: Tx,
  slug: string,
  ownId: string | null,
): Promise<void> {
  const owner = await repo.slugOwner(trx, slug);
  if (owner && owner.publication_id !== ownId) throw addressTaken(slug);
}

/** The address for a new title; the old one is kept to redirect once the public has seen it. */
export async function nextAddress(
  repo: PublicationsRepository,
  trx: Tx,
  row: PublicationRow,
  title: string,
  now: Date,
): Promise<string> {
  const slug = slugOf(title);
  if (slug === row.slug) return slug;
  await checkAddressFree(repo, trx, slug, row.id);
  await repo.reviveSlug(trx, slug, row.id);
  const seen = row.published_at !== null && row.published_at <= now;
  if (seen) await repo.retireSlug(trx, row.slug, row.id, now);
  return slug;
}

/**
 * For a write that gives a publication an address: another editor's write that took the same
 * address between the check and the write (PostgreSQL's unique violation) is the same refusal.
 */
export function whenAddressTaken(title: string): (error: unknown) => never {
  return (error) => {
    if (error instanceof Error && 'code' in error && error.code === '23505') throw addressTaken(slugOf(title));
    throw error;
  };
}
