import { z } from 'zod';
import { pageQuery } from '../../platform/pagination.ts';

export const outboxListQuery = pageQuery;

export const outboxCursor = z.tuple([z.string(), z.uuid()]);

export const outboxMessageParams = z.object({ id: z.uuid() });
