import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import type { CaseworkRows, Outcome } from '../../src/modules/statistics/domain.ts';
import type { Db } from '../../src/platform/db/database.ts';
import type { FixedClock } from '../../src/platform/clock.ts';
import type { Services } from '../../src/services.ts';

/**
 * Casework for the statistics tests made as staff and authorities make it: through the public
 * JSON API (`/api/v1`) with a casework manager's token and each authority's link officer's
 * token. The clock is moved to each event's moment and put back to `now` by `done()`.
 */

type AssessedOutcome = 'premature' | 'invalid' | 'out-of-jurisdiction' | 'not-investigate';
type DecidedOutcome = 'upheld-injustice' | 'upheld-no-injustice' | 'not-upheld' | 'remedied-by-authority';

export interface CaseworkApp {
  app: FastifyInstance;
  services: Services;
  db: Db;
}

export class ApiCasework {
  private staff: string | null = null;
  private readonly authorityTokens = new Map<string, string>();
  private counter = 0;

  constructor(
    private readonly t: CaseworkApp,
    private readonly clock: FixedClock,
    private readonly now: Date,
  ) {}

  /** Puts the clock back to the test's present. */
  done(): void {
    this.clock.set(this.now);
  }

  private async call<T>(method: 'POST' | 'GET', url: string, token: string, payload?: object): Promise<T> {
    const res = await this.t.app.inject({
      method,
      url: `/api/v1${url}`,
      headers: { authorization: `Bearer ${token}` },
      ...(payload ? { payload } : {}),
    });
    if (res.statusCode >= 300) throw new Error(`${method} ${url} answered ${res.statusCode}: ${res.body}`);
    return res.json<T>();
  }

  private at(instant: string): void {
    this.clock.set(new Date(instant));
  }

  private async staffToken(): Promise<string> {
    this.staff ??= (
      await this.t.services.apiTokens.createFromCommandLine({
        name: 'Statistics casework',
        role: 'casework-manager',
        authorityId: null,
      })
    ).token;
    return this.staff;
  }

  private async authorityToken(authorityId: string): Promise<string> {
    let token = this.authorityTokens.get(authorityId);
    if (!token) {
      token = (
        await this.t.services.apiTokens.createFromCommandLine({
          name: 'Statistics evidence',
          role: 'link-officer',
          authorityId,
        })
      ).token;
      this.authorityTokens.set(authorityId, token);
    }
    return token;
  }

  /** A complaint recorded at `receivedAt` (an instant). */
  async complaint(authorityId: string, input: { receivedAt: string; serviceArea?: string }): Promise<string> {
    const staff = await this.staffToken();
    this.at(input.receivedAt);
    const n = ++this.counter;
    const created = await this.call<{ id: string }>('POST', '/complaints', staff, {
      authorityId,
      serviceArea: input.serviceArea ?? 'housing',
      complainant: { name: `Complainant ${n}`, email: `complainant${n}@example.org` },
      summary: 'The repair was never done.',
      authorityProcessFinished: true,
      consentToShare: true,
      channel: 'phone',
    });
    return created.id;
  }

  /** A complaint closed at assessment with `outcome` at `closedAt`. */
  async closedAtAssessment(
    authorityId: string,
    input: { receivedAt: string; closedAt: string; outcome: AssessedOutcome; serviceArea?: string },
  ): Promise<string> {
    const id = await this.complaint(authorityId, input);
    this.at(input.closedAt);
    await this.call('POST', `/complaints/${id}/assessment`, await this.staffToken(), {
      outcome: input.outcome,
      reason: 'Decided at assessment.',
    });
    return id;
  }

  /** A complaint taken for investigation the day it came. */
  private async investigated(authorityId: string, receivedAt: string, serviceArea?: string): Promise<string> {
    const id = await this.complaint(authorityId, { receivedAt, ...(serviceArea ? { serviceArea } : {}) });
    await this.call('POST', `/complaints/${id}/assessment`, await this.staffToken(), { outcome: 'investigate' });
    return id;
  }

  /**
   * A complaint investigated to a final decision at 11:00 on `decidedOn` (its draft issued that
   * morning, the final decision early with a reason), with a remedy for each due date given.
   */
  async decided(
    authorityId: string,
    input: {
      receivedAt: string;
      decidedOn: string;
      outcome: DecidedOutcome;
      serviceArea?: string;
      remediesDue?: string[];
    },
  ): Promise<{ complaintId: string; remedies: { id: string; dueDate: string | null }[] }> {
    const staff = await this.staffToken();
    const id = await this.investigated(authorityId, input.receivedAt, input.serviceArea);
    this.at(`${input.decidedOn}T09:00:00Z`);
    await this.call('POST', `/complaints/${id}/draft-decisions`, staff, {
      text: 'We find fault.',
      remedies: (input.remediesDue ?? []).map((dueDate) => ({
        type: 'apology',
        description: 'Apologise to the complainant.',
        dueDate,
      })),
    });
    this.at(`${input.decidedOn}T11:00:00Z`);
    await this.call('POST', `/complaints/${id}/final-decision`, staff, {
      outcome: input.outcome,
      text: 'Our decision.',
      earlyReason: 'Both parties said they had no more to add.',
    });
    const remedies = await this.call<{ items: { id: string; dueDate: string | null }[] }>(
      'GET',
      `/complaints/${id}/remedies`,
      staff,
    );
    return { complaintId: id, remedies: remedies.items.map((r) => ({ id: r.id, dueDate: r.dueDate })) };
  }

  /** The authority sends evidence for a remedy on `sentOn` and a casework manager accepts it. */
  async complied(authorityId: string, remedyId: string, sentOn: string): Promise<void> {
    this.at(`${sentOn}T10:00:00Z`);
    const evidence = await this.call<{ id: string }>(
      'POST',
      `/remedies/${remedyId}/evidence`,
      await this.authorityToken(authorityId),
      { description: 'The apology letter we sent.' },
    );
    await this.call('POST', `/remedies/${remedyId}/evidence/${evidence.id}/review`, await this.staffToken(), {
      decision: 'accept',
    });
  }

  /** A complaint investigated to a final public report issued on `finalIssuedOn` (its draft the day before). */
  async publicReport(
    authorityId: string,
    input: { receivedAt: string; finalIssuedOn: string; serviceArea?: string },
  ): Promise<string> {
    const staff = await this.staffToken();
    const id = await this.investigated(authorityId, input.receivedAt, input.serviceArea);
    const day = new Date(`${input.finalIssuedOn}T11:00:00Z`);
    this.clock.set(new Date(day.getTime() - 24 * 3600 * 1000));
    await this.call('POST', `/complaints/${id}/public-reports`, staff, {
      stage: 'draft',
      criteria: ['significant-injustice'],
      text: 'We found serious fault.',
    });
    this.clock.set(day);
    await this.call('POST', `/complaints/${id}/public-reports`, staff, {
      stage: 'final',
      text: 'Our report.',
      earlyReason: 'Both parties said they had no more to add.',
    });
    return id;
  }
}

/** The authority's casework read back as plain rows, for the domain's own count. */
export async function caseworkOf(db: Db, authorityId: string): Promise<CaseworkRows> {
  const complaints = await sql<{ receivedOn: string; serviceArea: string }>`
    SELECT to_char(received_at AT TIME ZONE 'Europe/London', 'YYYY-MM-DD') AS "receivedOn", service_area AS "serviceArea"
    FROM complaints WHERE authority_id = ${authorityId}`.execute(db.kysely);
  const decisions = await sql<{ decidedOn: string; outcome: Outcome }>`
    SELECT to_char(fd.decided_on, 'YYYY-MM-DD') AS "decidedOn", fd.outcome FROM final_decisions fd WHERE fd.authority_id = ${authorityId}
    UNION ALL
    SELECT to_char(c.closed_at AT TIME ZONE 'Europe/London', 'YYYY-MM-DD'), c.outcome FROM complaints c
    WHERE c.authority_id = ${authorityId} AND c.closed_at IS NOT NULL
      AND NOT EXISTS (SELECT 1 FROM final_decisions fd WHERE fd.complaint_id = c.id)`.execute(db.kysely);
  const remedies = await sql<CaseworkRows['remedies'][number]>`
    SELECT to_char(due_on, 'YYYY-MM-DD') AS "dueOn", status, complied_on_time AS "compliedOnTime" FROM remedies
    WHERE authority_id = ${authorityId} AND status IN ('agreed', 'complied', 'not-satisfied')`.execute(db.kysely);
  const reports = await sql<{ finalIssuedOn: string | null }>`
    SELECT to_char(final_issued_on, 'YYYY-MM-DD') AS "finalIssuedOn" FROM public_reports WHERE authority_id = ${authorityId}`.execute(
    db.kysely,
  );
  return {
    complaints: complaints.rows,
    decisions: decisions.rows,
    remedies: remedies.rows,
    publicReports: reports.rows,
  };
}
