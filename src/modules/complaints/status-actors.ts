/**
 * Who made a status change, as the status history records it and as a case's timeline and the API
 * show it. Pure: no I/O.
 */
import type { StatusActorType } from '../../platform/db/schema.ts';

/** Who made a status change, as the history records it (see `StatusActorType`). */
export type StatusActor =
  { type: 'user'; id: string } | { type: 'token'; id: string } | { type: 'system' } | { type: 'public-form' };

/** Who made a change, as a case's timeline shows it: the role everyone sees, and the name staff see. */
export interface ShownActor {
  /** Shown to the authority too: never a person's or a token's name. */
  role: string;
  /** Shown to staff only. */
  by: string | null;
}

export const ONLINE_FORM = 'Online form';

/** A status history row's record of who made the change. */
export interface StatusActorRow {
  changed_by_type: StatusActorType | null;
  changed_by: string | null;
  changed_by_name: string | null;
  changed_by_token_name: string | null;
}

/**
 * Who made a status change: its kind, and the person's display name or the token's name (null for
 * the system and the online form, and for a person or token since deleted). A change recorded
 * before its maker's kind was kept is what it always showed: the person when one was recorded,
 * otherwise the online form.
 */
export function statusActor(h: StatusActorRow): { type: StatusActorType; name: string | null } {
  const type = h.changed_by_type ?? (h.changed_by === null ? 'public-form' : 'user');
  return { type, name: type === 'user' ? h.changed_by_name : type === 'token' ? h.changed_by_token_name : null };
}

/** Who made a status change as the authority may know it: the ombudsman, or the online form. */
export const authorityActorType = (type: StatusActorType): 'ombudsman' | 'public-form' =>
  type === 'public-form' ? 'public-form' : 'ombudsman';

/**
 * How a status change's maker is shown (see `statusActor`). A person by name, an API token by its
 * name, the system as the system, and only a complaint sent on the public form as the online form.
 */
export function shownActor(h: StatusActorRow): ShownActor {
  const { type, name } = statusActor(h);
  switch (type) {
    case 'user':
      return { role: 'Ombudsman', by: name };
    case 'token':
      return { role: 'Ombudsman', by: name === null ? 'API token' : `API token ‘${name}’` };
    case 'system':
      return { role: 'Ombudsman', by: 'System' };
    case 'public-form':
      return { role: ONLINE_FORM, by: ONLINE_FORM };
  }
}
