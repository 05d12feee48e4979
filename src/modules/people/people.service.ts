import type { Clock } from '../../platform/clock.ts';
import type { DbOrTx } from '../../platform/db/database.ts';
import { conflict, forbidden, invalid, notFound } from '../../platform/errors.ts';
import { auditActor, can, type Actor, type Permission } from '../accounts/domain.ts';
import { sameContact } from './domain.ts';
import { PeopleRepository, type PersonParty } from './people.repository.ts';

export type { PersonParty } from './people.repository.ts';

/**
 * Asked before a party leaves its person to join another: a reason the person it leaves must stay
 * as it is (another module holds records on it), or null.
 */
export type LinkCheck = (db: DbOrTx, personId: string) => Promise<string | null>;

/** A party that may be the same person, with what it shares. */
export interface Suggestion extends PersonParty {
  shares: ('email' | 'phone')[];
}

const isUuid = (v: string) => /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(v);

/** A module's erasure of what it keeps of a person, in the caller's transaction. */
export type PersonErasure = (db: DbOrTx, personId: string) => Promise<void>;

/**
 * People across cases: every party of a complaint is a person of its own until staff link it to
 * another's, after checking the two side by side. Linking and unlinking are audited; nothing is
 * merged by itself (a shared email address or phone number is only a suggestion).
 */
export class PeopleService {
  private readonly repo: PeopleRepository;
  private readonly linkChecks: LinkCheck[] = [];
  private readonly erasures: PersonErasure[] = [];

  constructor(
    db: DbOrTx,
    private readonly clock: Clock,
  ) {
    this.repo = new PeopleRepository(db);
  }

  /** The repository, in the caller's transaction when one is given (other modules call in theirs). */
  private on(db: DbOrTx | undefined): PeopleRepository {
    return db ? new PeopleRepository(db) : this.repo;
  }

  addLinkCheck(check: LinkCheck): void {
    this.linkChecks.push(check);
  }

  /** A module that keeps a person's data of its own erases it when the person is erased (`erase`). */
  addErasure(erasure: PersonErasure): void {
    this.erasures.push(erasure);
  }

  /**
   * Erases what the modules keep of a person beyond their parties (each module its own data), in
   * the caller's transaction: the step a person's erasure takes for them. The person and their
   * links stay, so the facts (dates, flags) still count; the words about them go.
   */
  async erase(db: DbOrTx, personId: string): Promise<void> {
    if (!isUuid(personId)) return;
    for (const erasure of this.erasures) await erasure(db, personId);
  }

  private needs(actor: Actor, permission: Permission): void {
    if (actor.authorityId !== null || !can(actor, permission)) throw forbidden();
  }

  /** Whether there is a person with this id (for other modules' checks). */
  exists(personId: string, db?: DbOrTx): Promise<boolean> {
    return isUuid(personId) ? this.on(db).personExists(personId) : Promise.resolve(false);
  }

  /** A person's parties, newest case first (for other modules: no permission checked). */
  partiesOf(personId: string, db?: DbOrTx): Promise<PersonParty[]> {
    return this.on(db).partiesOf(personId);
  }

  /** The person of each party, by party id (for other modules). */
  personIds(partyIds: readonly string[], db?: DbOrTx): Promise<Map<string, string>> {
    return this.on(db).personIds(partyIds.filter(isUuid));
  }

  /** The people who are parties of these cases (for other modules). */
  peopleOfCases(complaintIds: readonly string[], db?: DbOrTx) {
    return this.on(db).peopleOfCases(complaintIds.filter(isUuid));
  }

  /** The people one of whose parties has this email address (for other modules). */
  peopleByEmail(email: string, db?: DbOrTx): Promise<string[]> {
    return this.on(db).peopleByEmail(email.trim().toLowerCase());
  }

  /** Unlinked people of `personIds` who share contact details with one of `others`. */
  samePairs(personIds: readonly string[], others: readonly string[], db?: DbOrTx) {
    return this.on(db).samePairs(personIds, others);
  }

  /** A person as staff see them: their parties on every case, and who else may be them. */
  async person(actor: Actor, personId: string) {
    this.needs(actor, 'complaints:read');
    if (!isUuid(personId)) throw notFound('The person');
    const parties = await this.repo.partiesOf(personId);
    if (parties.length === 0) throw notFound('The person');
    const suggestions = (await this.repo.sameContact([personId])).map((s): Suggestion =>
      Object.assign({ shares: [...new Set(parties.flatMap((p) => sameContact(p, s)))] }, s),
    );
    return { id: personId, parties, suggestions, canLink: can(actor, 'people:link') };
  }

  /** A case's parties with their people, and how many other cases each person has. */
  async ofCase(actor: Actor, complaintId: string) {
    this.needs(actor, 'complaints:read');
    const parties = await this.repo.partiesOfCase(complaintId);
    return Promise.all(
      parties.map(async (p) => {
        const [all, suggestions] = await Promise.all([
          this.repo.partiesOf(p.personId),
          this.repo.sameContact([p.personId]),
        ]);
        return Object.assign({ otherCases: all.length - 1, suggestions: suggestions.length }, p);
      }),
    );
  }

  /** A party of another case to compare with a person, side by side. */
  async compare(actor: Actor, personId: string, partyId: string) {
    this.needs(actor, 'people:link');
    const person = await this.person(actor, personId);
    const candidate = isUuid(partyId) ? await this.repo.party(partyId) : undefined;
    if (!candidate) throw notFound('The party');
    return {
      person,
      candidate,
      alreadyLinked: candidate.personId === personId,
      shares: [...new Set(person.parties.flatMap((p) => sameContact(p, candidate)))],
    };
  }

  /** The parties of the case with this reference, to compare with a person (found by staff, not by contact details). */
  async partiesOfCase(actor: Actor, complaintId: string): Promise<PersonParty[]> {
    this.needs(actor, 'people:link');
    return this.repo.partiesOfCase(complaintId);
  }

  /**
   * Links a party to a person, after staff checked them side by side (`checked`). The party leaves
   * the person it was; refused when that person has records another module keeps (link the other way).
   */
  async link(actor: Actor, personId: string, partyId: string, checked: boolean): Promise<void> {
    this.needs(actor, 'people:link');
    if (!isUuid(personId) || !isUuid(partyId)) throw notFound('The person');
    if (!checked) {
      throw invalid([{ field: 'checked', message: 'Confirm that you have checked that these are the same person' }]);
    }
    await this.repo.transaction(async (repo) => {
      if (!(await repo.lockPerson(personId))) throw notFound('The person');
      const party = await repo.party(partyId);
      if (!party) throw notFound('The party');
      if (party.personId === personId) throw conflict('They are already linked as one person');
      await repo.lockPerson(party.personId);
      if ((await repo.partyCount(party.personId)) === 1) {
        for (const check of this.linkChecks) {
          const reason = await check(repo.db, party.personId);
          if (reason) throw conflict(reason);
        }
      }
      await repo.moveParty(partyId, personId, actor.type === 'user' ? actor.id : null, this.clock.now());
      await repo.audit({
        actor: auditActor(actor),
        action: 'person.linked',
        recordType: 'person',
        recordId: personId,
        requestId: actor.requestId ?? null,
      });
    });
  }

  /** Takes a party out of a person: it becomes a person of its own again. */
  async unlink(actor: Actor, personId: string, partyId: string): Promise<string> {
    this.needs(actor, 'people:link');
    if (!isUuid(personId) || !isUuid(partyId)) throw notFound('The person');
    return this.repo.transaction(async (repo) => {
      if (!(await repo.lockPerson(personId))) throw notFound('The person');
      const party = await repo.party(partyId);
      if (!party || party.personId !== personId) throw notFound('The party');
      if ((await repo.partyCount(personId)) === 1)
        throw conflict('This is the person’s only case: there is nothing to unlink');
      const now = this.clock.now();
      const own = await repo.newPerson(now);
      await repo.moveParty(partyId, own, actor.type === 'user' ? actor.id : null, now);
      await repo.audit({
        actor: auditActor(actor),
        action: 'person.unlinked',
        recordType: 'person',
        recordId: personId,
        requestId: actor.requestId ?? null,
      });
      return own;
    });
  }
}
