import { z } from 'zod';
import { pageQuery } from '../../platform/pagination.ts';

export const outboxListQuery = pageQuery;

export const outboxCursor = z.tuple([z.string(), z.uuid()]);

export const outboxMessageParams = z.object({ id: z.uuid() });

export const CONFIRM_RESEND_MESSAGE = 'Confirm that you understand the recipient may receive this message twice';

/** Sending a message again: the box saying the recipient may get it twice, ticked or not. */
export const resendForm = z.object({
  confirm: z.literal('yes', { error: CONFIRM_RESEND_MESSAGE }).optional(),
});
