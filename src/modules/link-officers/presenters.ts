import type { OfficerView } from './link-officers.service.ts';

type OfficerFields = Pick<
  OfficerView,
  'title' | 'forename' | 'surname' | 'jobTitle' | 'email' | 'correspondenceEmail' | 'phoneDisplay'
>;

/**
 * What the officer form shows: on editing, the officer's details as they are held, unless the form
 * came back with what was typed; on replacing, only what was typed.
 */
export function officerFormValues(
  mode: 'edit' | 'replace',
  officer: OfficerFields,
  typed: Record<string, unknown>,
): Record<string, unknown> {
  if (mode !== 'edit' || Object.keys(typed).length > 0) return typed;
  return {
    title: officer.title,
    forename: officer.forename,
    surname: officer.surname,
    jobTitle: officer.jobTitle,
    email: officer.email,
    correspondenceEmail: officer.correspondenceEmail ?? '',
    phone: officer.phoneDisplay,
  };
}
