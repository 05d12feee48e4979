/**
 * Errors the domain raises. Only src/http maps them to status pages or problem+json; services never
 * know about HTTP.
 */
export type DomainErrorCode =
  'not-found' | 'forbidden' | 'unauthenticated' | 'validation' | 'conflict' | 'rate-limited' | 'gone';

export interface FieldError {
  /** The form field or JSON pointer-like path the message is about, e.g. `email` or `chiefExecutive.email`. */
  field: string;
  message: string;
}

export class DomainError extends Error {
  constructor(
    readonly code: DomainErrorCode,
    message: string,
    readonly fields: FieldError[] = [],
  ) {
    super(message);
    this.name = 'DomainError';
  }
}

export const notFound = (what = 'The page') => new DomainError('not-found', `${what} could not be found`);
export const forbidden = (message = 'You do not have permission to do that') => new DomainError('forbidden', message);
export const invalid = (fields: FieldError[], message = 'There is a problem with what was entered') =>
  new DomainError('validation', message, fields);
export const conflict = (message: string, fields: FieldError[] = []) => new DomainError('conflict', message, fields);
