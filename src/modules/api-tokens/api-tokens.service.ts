import type { Kysely } from 'kysely';
import { z } from 'zod';
import { instant } from '../../platform/input.ts';
import { SYSTEM_ACTOR, writeAudit, type AuditActor } from '../../platform/audit/audit.ts';
import type { Clock } from '../../platform/clock.ts';
import type { Database } from '../../platform/db/schema.ts';
import { forbidden, invalid, notFound } from '../../platform/errors.ts';
import { decodeCursor, toPage, type Page } from '../../platform/pagination.ts';
import { hashSecret, newSecret } from '../accounts/passwords.ts';
import { auditActor, can, isRole, type Actor } from '../accounts/domain.ts';
import { ApiTokensRepository, type ApiTokenListRow, type ApiTokenRow } from './api-tokens.repository.ts';
import { TOKEN_PREFIX, shouldRecordUse, tokenRequestProblems, type TokenRequest } from './domain.ts';
import { ExpiringCache } from '../../platform/expiring-cache.ts';

export interface CreatedToken {
  id: string;
  /** The bearer secret: shown once, never stored. */
  token: string;
  name: string;
}

const uuid = z.uuid();
const listCursor = z.tuple([instant(), z.uuid()]);

/**
 * Makes, lists, revokes and checks API tokens. Only a hash of each token is stored. A live token,
 * once read, is trusted for `cacheMs` (SESSION_CACHE_MS, as sessions are): a revocation made through
 * this process applies to the next request, one made through another process within that time.
 */
export class ApiTokensService {
  private readonly repo: ApiTokensRepository;
  private readonly cache: ExpiringCache<ApiTokenRow>;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly clock: Clock,
    cacheMs = 0,
  ) {
    this.repo = new ApiTokensRepository(db);
    this.cache = new ExpiringCache(clock, cacheMs, 1_000);
  }

  private authorise(actor: Actor): void {
    if (!can(actor, 'tokens:manage')) throw forbidden();
  }

  async list(actor: Actor, page: { cursor?: string | undefined; limit: number }): Promise<Page<ApiTokenListRow>> {
    this.authorise(actor);
    const after = page.cursor ? decodeCursor(page.cursor, listCursor) : null;
    const rows = await this.repo.list(page.limit, after);
    return toPage(rows, page.limit, (row) => [row.sort_at, row.id]);
  }

  /** Makes a token for the administrator acting; returns the secret, which is never shown again. */
  async create(actor: Actor, request: TokenRequest): Promise<CreatedToken> {
    this.authorise(actor);
    return this.make(request, auditActor(actor), actor.type === 'user' ? actor.id : null);
  }

  /** Makes a token from the command line (the operator of the server). */
  createFromCommandLine(request: TokenRequest): Promise<CreatedToken> {
    return this.make(request, SYSTEM_ACTOR, null);
  }

  private async make(request: TokenRequest, by: AuditActor, createdBy: string | null): Promise<CreatedToken> {
    const problems = tokenRequestProblems(request);
    if (problems.length > 0) throw invalid(problems);
    const authorityId = request.authorityId;
    if (authorityId !== null) {
      const known = uuid.safeParse(authorityId).success && (await this.repo.findActiveAuthority(authorityId));
      if (!known) throw invalid([{ field: 'authority', message: 'Select an authority from the list' }]);
    }
    const token = `${TOKEN_PREFIX}${newSecret()}`;
    const name = request.name.trim();
    return this.db.transaction().execute(async (trx) => {
      const row = await this.repo.with(trx).insert({
        token_hash: hashSecret(token),
        name,
        role: request.role,
        authority_id: authorityId,
        created_by: createdBy,
        created_at: this.clock.now(),
      });
      await writeAudit(trx, {
        actor: by,
        action: 'api-token.created',
        recordType: 'api-token',
        recordId: row.id,
        authorityId,
      });
      return { id: row.id, token, name };
    });
  }

  /** Revokes a token at once: its next request is refused. Returns its name for the notice. */
  async revoke(actor: Actor, id: string): Promise<{ name: string }> {
    this.authorise(actor);
    if (!uuid.safeParse(id).success) throw notFound('The API token');
    return this.db.transaction().execute(async (trx) => {
      const repo = this.repo.with(trx);
      const token = await repo.findById(id);
      if (!token) throw notFound('The API token');
      this.cache.clear();
      if (await repo.revoke(id, this.clock.now())) {
        await writeAudit(trx, {
          actor: auditActor(actor),
          action: 'api-token.revoked',
          recordType: 'api-token',
          recordId: id,
          authorityId: token.authority_id,
        });
      }
      return { name: token.name };
    });
  }

  /** The actor a bearer token acts as, or null when it is unknown or revoked. */
  async authenticate(token: string): Promise<Actor | null> {
    if (!token.startsWith(TOKEN_PREFIX)) return null;
    const row = await this.findLive(hashSecret(token));
    if (!row || !isRole(row.role)) return null;
    const now = this.clock.now();
    if (shouldRecordUse(row.last_used_at, now)) {
      await this.repo.recordUse(row.id, now);
      row.last_used_at = now;
    }
    return { type: 'token', id: row.id, roles: [row.role], authorityId: row.authority_id };
  }

  private async findLive(tokenHash: string): Promise<ApiTokenRow | undefined> {
    const kept = this.cache.get(tokenHash);
    if (kept) return kept;
    const row = await this.repo.findLiveByHash(tokenHash);
    if (row) this.cache.set(tokenHash, row);
    else this.cache.delete(tokenHash);
    return row;
  }
}
