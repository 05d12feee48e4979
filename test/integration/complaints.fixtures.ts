import { expect } from 'vitest';
import type { TestClient } from '../support/app.ts';

/** One page of the public complaint form: its address under /complain and what is entered on it. */
export type FormStep = [slug: string, form: Record<string, string | string[]>];

/** Answers the public complaint form's pages in turn: each is shown, then moves on to the next. */
export async function answerPublicForm(visitor: TestClient, steps: readonly FormStep[]): Promise<void> {
  for (const [slug, form] of steps) {
    expect((await visitor.get(`/complain/${slug}`)).statusCode, slug).toBe(200);
    const res = await visitor.post(`/complain/${slug}`, form);
    expect(res.statusCode, slug).toBe(303);
    expect(res.headers.location, `after ${slug}`).not.toBe(`/complain/${slug}`);
  }
}

/** Sends the checked answers and reads the complaint's reference from the confirmation page. */
export async function sendPublicForm(visitor: TestClient): Promise<string> {
  const sent = await visitor.post('/complain/check', {});
  expect(sent.headers.location).toBe('/complain/confirmation');
  const reference = /id="reference">(\d\d \d\d\d \d\d\d)</.exec(
    (await visitor.get('/complain/confirmation')).body,
  )?.[1];
  expect(reference).toMatch(/^\d\d \d{3} \d{3}$/);
  return reference ?? '';
}
