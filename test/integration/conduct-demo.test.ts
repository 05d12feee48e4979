import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadDemoData } from '../../src/cli/demo-data.ts';
import { createTestApp, type TestApp } from '../support/app.ts';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
  await loadDemoData({ db: t.db, services: t.services, clock: t.clock });
});
afterAll(async () => {
  await t.close();
});

describe('the demo’s warnings and restrictions', () => {
  it('has one person warned and one restricted, with a call flagged and the letters recorded', async () => {
    const records = await t.db.kysely
      .selectFrom('conduct_records')
      .select(['person_id', 'kind', 'status', 'tell_authority'])
      .orderBy('created_at')
      .execute();
    expect(records.map((r) => r.kind)).toEqual(['warning', 'warning', 'restriction']);
    expect(new Set(records.map((r) => r.person_id)).size).toBe(2);
    expect(records[2]?.tell_authority).toBe(true);
    const call = await t.db.kysely
      .selectFrom('conduct_contacts')
      .select('flags')
      .where('channel', '=', 'phone')
      .executeTakeFirstOrThrow();
    expect(call.flags).toEqual(['outside-channel', 'call-not-named-officer', 'outside-call-times', 'call-too-long']);
    const letters = await t.db.kysely.selectFrom('conduct_letters').select('id').execute();
    expect(letters.length).toBe(3);
  });
});
