/**
 * People: the parties of several complaints that are the same person. Pure rules, no I/O.
 */

export type PartyRole = 'complainant' | 'representative';

export const PARTY_ROLE_NAMES: Record<PartyRole, string> = {
  complainant: 'Complainant',
  representative: 'Representative',
};

/** A phone number as compared: its last ten digits (07700 900123 and +44 7700 900123 match); null when too short. */
export function phoneKey(phone: string | null | undefined): string | null {
  const digits = (phone ?? '').replace(/[^0-9]/g, '');
  return digits.length >= 10 ? digits.slice(-10) : null;
}

/** An email address as compared: trimmed, lower case; null when empty. */
export function emailKey(email: string | null | undefined): string | null {
  const key = (email ?? '').trim().toLowerCase();
  return key === '' ? null : key;
}

/** Why two parties may be the same person: what they share. */
export function sameContact(
  a: { email: string | null; phone: string | null },
  b: { email: string | null; phone: string | null },
): ('email' | 'phone')[] {
  const out: ('email' | 'phone')[] = [];
  const [ea, eb] = [emailKey(a.email), emailKey(b.email)];
  if (ea !== null && ea === eb) out.push('email');
  const [pa, pb] = [phoneKey(a.phone), phoneKey(b.phone)];
  if (pa !== null && pa === pb) out.push('phone');
  return out;
}
