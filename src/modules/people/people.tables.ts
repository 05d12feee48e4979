import type { ColumnType, Generated } from 'kysely';

/** The people module's tables (migration 0083): who, across cases, is the same person. No personal data. */

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;

export interface PeopleTable {
  id: Generated<string>;
  created_at: Timestamp;
}

export interface PersonPartiesTable {
  /** A complaint's party (`complaint_parties.id`). */
  party_id: string;
  person_id: string;
  /** Who linked the party to this person; null for the person the party started as. */
  linked_by: string | null;
  linked_at: Timestamp;
}

declare module '../../platform/db/schema.ts' {
  interface Database {
    people: PeopleTable;
    person_parties: PersonPartiesTable;
  }
}
