import type { ParsedMessage } from '../platform/mail/parse.ts';
import type { Services } from '../services.ts';
import { MODULES } from './index.ts';
import type { ModuleManifest } from './manifest.ts';

/**
 * What the mail-in role does with each message the gateway has stored: offers it to the modules'
 * inbound handlers, those that claim first, then the catch-all (`InboundMailHandler`).
 */
export function inboundMailFiler(
  services: Services,
  modules: readonly ModuleManifest[] = MODULES,
): (inboundId: string, parsed: ParsedMessage) => Promise<void> {
  const handlers = modules.flatMap((m) => (m.inboundMail ? [m.inboundMail(services)] : []));
  const ordered = [...handlers.filter((h) => h.kind === 'claim'), ...handlers.filter((h) => h.kind === 'catch-all')];
  return async (inboundId, parsed) => {
    for (const handler of ordered) if (await handler.take(inboundId, parsed)) return;
  };
}
