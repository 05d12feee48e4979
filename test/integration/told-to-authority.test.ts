import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Actor } from '../../src/modules/accounts/domain.ts';
import { STATUSES, type ComplaintOutcome, type ComplaintStatus } from '../../src/modules/complaints/domain.ts';
import { createTestApp, TestClient, type TestApp } from '../support/app.ts';
import { complaintInput, createAuthority, signedInAs } from '../support/factories.ts';

/**
 * The authority knows of a complaint only from the point the ombudsman tells it: documents asked of
 * it, the start of investigation (the allocation notice; enquiries and the draft follow), or the
 * letter of a closing decision. The portal's case list, its case page and the API (an authority
 * token) agree on every status.
 */

let t: TestApp;
let authorityId: string;
let staff: Actor;
let portal: TestClient;
let api: (url: string) => Promise<LightMyRequestResponse>;

beforeAll(async () => {
  t = await createTestApp();
  authorityId = await createAuthority(t.db);
  const officer = await signedInAs(t.db, t.services, 'casework-manager');
  staff = { type: 'user', id: officer.user.id, roles: ['casework-manager'], authorityId: null };
  portal = new TestClient(t.app).withSession((await signedInAs(t.db, t.services, 'link-officer', authorityId)).token);
  const { token } = await t.services.apiTokens.createFromCommandLine({
    name: 'Authority case system',
    role: 'link-officer',
    authorityId,
  });
  api = (url) => t.app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${token}` } });
}, 120_000);

afterAll(async () => {
  await t.close();
});

/** A case of the authority put straight into a status (and outcome), optionally with documents asked of the authority. */
async function caseAt(status: ComplaintStatus, outcome: ComplaintOutcome | null, documentsRequested = false) {
  const { id } = await t.services.complaints.receive(
    staff,
    complaintInput(authorityId, { summary: `A case ${status}` }),
  );
  if (documentsRequested) await t.services.complaints.requestDocuments(staff, id, 'The stage 2 response letter');
  await t.db.kysely
    .updateTable('complaints')
    .set({ status, outcome, closed_at: status === 'closed' ? new Date() : null })
    .where('id', '=', id)
    .execute();
  return id;
}

/** What the authority sees of a case, through each way it reads cases. */
async function seen(id: string) {
  const list = await portal.get('/portal/complaints');
  expect(list.statusCode).toBe(200);
  const page = await portal.get(`/portal/complaints/${id}`);
  const apiList = await api('/api/v1/complaints?limit=100');
  expect(apiList.statusCode).toBe(200);
  const items = apiList.json<{ items: { id: string }[] }>().items.map((c) => c.id);
  const apiCase = await api(`/api/v1/complaints/${id}`);
  return {
    portalList: list.body.includes(`/portal/complaints/${id}`),
    portalPage: page.statusCode,
    apiList: items.includes(id),
    apiCase: apiCase.statusCode,
  };
}

const visible = { portalList: true, portalPage: 200, apiList: true, apiCase: 200 };
const hidden = { portalList: false, portalPage: 404, apiList: false, apiCase: 404 };

/** Told at each status: from investigation on (the allocation notice), and when closed with a letter to it. */
const TOLD_AT: Record<ComplaintStatus, boolean> = {
  received: false,
  intake: false,
  assessment: false,
  investigation: true,
  decision: true,
  remedy: true,
  closed: true,
};

describe('when the authority sees a complaint', () => {
  for (const status of STATUSES) {
    const outcome: ComplaintOutcome | null = status === 'closed' ? 'premature' : null;
    it(`a case ${status}${outcome ? ` (${outcome})` : ''} is ${TOLD_AT[status] ? 'visible' : 'hidden'}`, async () => {
      const id = await caseAt(status, outcome);
      expect(await seen(id)).toEqual(TOLD_AT[status] ? visible : hidden);
    });

    if (status === 'closed') continue;
    it(`a case ${status} whose documents were asked of the authority is visible`, async () => {
      const id = await caseAt(status, null, true);
      expect(await seen(id)).toEqual(visible);
    });
  }

  it('a case closed with an outcome told to the authority is visible; one it is never told of is hidden, even after documents were asked', async () => {
    expect(await seen(await caseAt('closed', 'not-investigated'))).toEqual(visible);
    for (const outcome of ['invalid', 'out-of-jurisdiction'] as const) {
      expect(await seen(await caseAt('closed', outcome)), outcome).toEqual(hidden);
      expect(await seen(await caseAt('closed', outcome, true)), outcome).toEqual(hidden);
    }
  });

  it('a complaint sent on the public form, still received, is not found until investigation starts', async () => {
    const id = await caseAt('received', null);
    expect(await seen(id)).toEqual(hidden);
    await t.db.kysely.updateTable('complaints').set({ status: 'investigation' }).where('id', '=', id).execute();
    expect(await seen(id)).toEqual(visible);
  });
});
