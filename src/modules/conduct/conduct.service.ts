import type { WorkingCalendar } from '../../platform/calendar/calendar.ts';
import { addDays } from '../../platform/calendar/calendar.ts';
import type { Clock } from '../../platform/clock.ts';
import type { DbOrTx, Tx } from '../../platform/db/database.ts';
import { conflict, DomainError, forbidden, invalid, notFound, type FieldError } from '../../platform/errors.ts';
import { letterPdf } from '../../platform/mail/letter-pdf.ts';
import { auditActor, can, type Actor, type Permission } from '../accounts/domain.ts';
import { startOfLondonDay } from '../audit/domain.ts';
import type { CaseMarker, TimelineEvent } from '../complaints/complaints.service.ts';
import type { NewItem } from '../correspondence/domain.ts';
import type { InboundFiledHook } from '../correspondence/correspondence.service.ts';
import type { Panel } from '../home/panels.ts';
import type { PublicPage } from '../publications/publications.library.ts';
import type { PeopleService, PersonParty } from '../people/people.service.ts';
import {
  CALL_TIMES_HINT,
  FLAG_NAMES,
  parseCallTimes,
  tellAuthorityProblems,
  KIND_NAMES,
  contactFlags,
  decisionLetter,
  defaultReviewOn,
  londonInstant,
  hasTerms,
  recordProblems,
  reviewDateProblems,
  reviewLetter,
  reviewState,
  termLines,
  weekStart,
  REMINDER_DAYS,
  type Channel,
  type Flag,
  type RecordInput,
  type ReviewOutcome,
  type Terms,
} from './domain.ts';
import { ConductRepository, type RecordWithNames } from './conduct.repository.ts';

/** What conduct asks of the correspondence module: a letter written on a case in the caller's transaction. */
export interface ConductCorrespondence {
  write(db: DbOrTx, item: NewItem): Promise<string>;
}

/** A phone call to log: a London date and time (minutes from midnight), its length and who took it. */
export interface CallInput {
  complaintId: string | null;
  date: string;
  startMinutes: number;
  minutes: number;
  officerId: string;
  note: string;
}

/** What conduct asks of the publications library: a public page by its address, and its full address. */
export interface ConductPublications {
  page(slug: string): Promise<PublicPage>;
  url(slug: string): string;
}

/** The published policy the pages and letters link to, when the library has it. */
export interface PolicyLink {
  title: string;
  path: string;
  url: string;
}

/** How long the policy's address is kept before the library is asked again. */
const POLICY_CACHE_MS = 60_000;

export interface ReviewInput {
  outcome: ReviewOutcome;
  reason: string;
  reviewOn: string | null;
  /** New terms, for a variation. */
  terms: Terms | null;
}

/** How many reviews the home panel lists (its count says how many there are). */
const HOME_PANEL_ITEMS = 5;

const isUuid = (v: string) => /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(v);

export const termsOf = (r: RecordWithNames): Terms => ({
  channels: r.channels as Channel[],
  namedOfficerId: r.named_officer_id,
  callTimes: r.call_times,
  maxCallMinutes: r.max_call_minutes,
  writtenOnly: r.written_only,
  weeklyContactCap: r.weekly_contact_cap,
  settledComplaintId: r.settled_complaint_id,
  tellAuthority: r.tell_authority,
});

export const linesOf = (r: RecordWithNames): string[] =>
  termLines(termsOf(r), { officer: r.officerName, settledReference: r.settledReference });

/**
 * Warnings and contact restrictions on a person: recorded by a casework manager with the rules
 * (a warning first unless staff safety is at risk; a review within twelve months), the decision
 * letter sent once and recorded on every open case, reviews that extend, vary or lift, reminders
 * before a review is due, and contacts from a restricted person filed and flagged, never refused.
 */
export class ConductService {
  private readonly repo: ConductRepository;
  private policyRead: { at: number; link: PolicyLink | null } | null = null;

  constructor(
    db: DbOrTx,
    private readonly clock: Clock,
    private readonly calendar: WorkingCalendar,
    private readonly people: PeopleService,
    private readonly correspondence: ConductCorrespondence,
    private readonly settings: { baseUrl: string; policySlug: string },
    private readonly publications: ConductPublications | null = null,
  ) {
    this.repo = new ConductRepository(db);
  }

  /**
   * The policy on unreasonable behaviour in the publications library, by its address (followed when
   * the title, and so the address, changed); null while it is not published. Read at most once a minute.
   */
  async policy(): Promise<PolicyLink | null> {
    const now = this.clock.now().getTime();
    if (this.policyRead && now - this.policyRead.at < POLICY_CACHE_MS) return this.policyRead.link;
    let link: PolicyLink | null = null;
    if (this.publications) {
      try {
        let slug = this.settings.policySlug;
        let found = await this.publications.page(slug);
        if (found.kind === 'moved') {
          slug = found.slug;
          found = await this.publications.page(slug);
        }
        if (found.kind === 'page') {
          link = { title: found.view.title, path: `/publications/${slug}`, url: this.publications.url(slug) };
        }
      } catch (error) {
        if (!(error instanceof DomainError && error.code === 'not-found')) throw error;
      }
    }
    this.policyRead = { at: now, link };
    return link;
  }

  private needs(actor: Actor, permission: Permission, message?: string): void {
    if (actor.authorityId !== null || !can(actor, permission)) throw forbidden(message);
  }

  private today(): string {
    return this.calendar.londonDate(this.clock.now());
  }

  // Recording -------------------------------------------------------------------------------------

  /** Records a warning or a restriction on a person and sends the decision letter. Bad input changes nothing. */
  async record(
    actor: Actor,
    personId: string,
    input: RecordInput,
  ): Promise<{ id: string; reviewDate: string; letterId: string }> {
    this.needs(actor, 'conduct:manage', 'Only a casework manager may record a warning or a restriction');
    if (!(await this.people.exists(personId))) throw notFound('The person');
    // Read before the transaction: the library reads on its own connection.
    const policyUrl = (await this.policy())?.url ?? null;
    return this.repo.transaction(async (repo) => {
      const trx = repo.db as Tx;
      const today = this.today();
      const active = await repo.activeOf([personId]);
      const officer =
        input.namedOfficerId !== null && isUuid(input.namedOfficerId)
          ? await repo.activeStaff(input.namedOfficerId)
          : undefined;
      const parties = await this.people.partiesOf(personId, trx);
      const problems = recordProblems(input, {
        today,
        warned: await repo.warned(personId),
        restricted: active.some((r) => r.kind === 'restriction'),
        officerActive: officer !== undefined,
        settledIsTheirs: parties.some((p) => p.complaintId === input.settledComplaintId),
      });
      if (problems.length > 0) throw invalid(problems);
      const reviewOn = input.reviewOn ?? defaultReviewOn(today);
      const now = this.clock.now();
      const restriction = input.kind === 'restriction';
      const id = await repo.insertRecord({
        person_id: personId,
        kind: input.kind,
        reason: input.reason,
        channels: restriction ? [...input.channels] : [],
        named_officer_id: restriction ? input.namedOfficerId : null,
        call_times: restriction ? input.callTimes : null,
        max_call_minutes: restriction ? input.maxCallMinutes : null,
        written_only: restriction && input.writtenOnly,
        weekly_contact_cap: restriction ? input.weeklyContactCap : null,
        settled_complaint_id: restriction ? input.settledComplaintId : null,
        tell_authority: restriction && input.tellAuthority,
        staff_safety_risk: input.staffSafetyRisk,
        no_warning_reason: input.noWarningReason,
        starts_on: today,
        review_on: reviewOn,
        recorded_by: actor.type === 'user' ? actor.id : null,
        created_at: now,
        updated_at: now,
      });
      const record = await repo.record(id);
      if (!record) throw notFound('The record');
      const letter = decisionLetter({
        policyUrl,
        name: parties[0]?.name ?? 'Sir or Madam',
        kind: input.kind,
        reason: input.reason,
        terms: linesOf(record),
        startsOn: today,
        reviewOn,
      });
      const letterId = await this.sendLetter(repo, actor, record, parties, null, letter);
      await repo.audit({
        actor: auditActor(actor),
        action: restriction ? 'conduct.restriction-recorded' : 'conduct.warning-recorded',
        recordType: 'conduct-record',
        recordId: id,
        requestId: actor.requestId ?? null,
      });
      return { id, reviewDate: reviewOn, letterId };
    });
  }

  /**
   * The letter goes once: by email through the correspondence of an open case where the person is
   * the only party with an email address (so nobody else receives it), else it is printed for post.
   * It is recorded on every open case of theirs (their latest case when none is open).
   */
  private async sendLetter(
    repo: ConductRepository,
    actor: Actor | null,
    record: RecordWithNames,
    parties: readonly PersonParty[],
    reviewId: string | null,
    letter: { subject: string; text: string },
  ): Promise<string> {
    const open = parties.filter((p) => p.status !== 'closed');
    const cases = [...new Set((open.length > 0 ? open : parties.slice(0, 1)).map((p) => p.complaintId))];
    const partyIds = parties.map((p) => p.partyId);
    let itemId: string | null = null;
    for (const complaintId of cases) {
      if (await repo.onlyTheirEmail(complaintId, partyIds)) {
        itemId = await this.correspondence.write(repo.db, {
          complaintId,
          kind: 'message',
          addressees: ['complainant'],
          subject: letter.subject,
          text: letter.text,
          actor,
          letter: true,
        });
        break;
      }
    }
    return repo.insertLetter(
      {
        record_id: record.id,
        review_id: reviewId,
        subject: letter.subject,
        body: letter.text,
        item_id: itemId,
        created_at: this.clock.now(),
      },
      cases,
    );
  }

  // Calls -----------------------------------------------------------------------------------------

  /**
   * Logs a phone call with a person (on one of their cases or none). Under a restriction it is also
   * a contact, flagged with what it breached (outside the times, too long, by phone when phone is not
   * allowed, not with the named officer, beyond the weekly limit): it is logged all the same.
   */
  async logCall(actor: Actor, personId: string, input: CallInput): Promise<{ id: string; flags: Flag[] }> {
    this.needs(actor, 'complaints:read');
    if (!(await this.people.exists(personId))) throw notFound('The person');
    return this.repo.transaction(async (repo) => {
      const problems: FieldError[] = [];
      const today = this.today();
      if (input.date > today)
        problems.push({ field: 'calledOn', message: 'The date of the call must be today or in the past' });
      const officer = isUuid(input.officerId) ? await repo.activeStaff(input.officerId) : undefined;
      if (!officer) problems.push({ field: 'officerId', message: 'Choose the member of staff who took the call' });
      const parties = await this.people.partiesOf(personId, repo.db);
      if (input.complaintId !== null && !parties.some((p) => p.complaintId === input.complaintId)) {
        problems.push({ field: 'complaintId', message: 'Choose one of this person’s complaints, or none' });
      }
      if (problems.length > 0) throw invalid(problems);
      const calledAt = londonInstant(input.date, input.startMinutes);
      if (calledAt > this.clock.now()) {
        throw invalid([{ field: 'calledTime', message: 'The time of the call must not be in the future' }]);
      }
      const id = await repo.insertCall({
        person_id: personId,
        complaint_id: input.complaintId,
        called_at: calledAt,
        minutes: input.minutes,
        officer_id: input.officerId,
        note: input.note,
        logged_by: actor.type === 'user' ? actor.id : null,
        created_at: this.clock.now(),
      });
      await repo.audit({
        actor: auditActor(actor),
        action: 'call.logged',
        recordType: 'call',
        recordId: id,
        requestId: actor.requestId ?? null,
      });
      const restriction = (await repo.activeOf([personId])).find((r) => r.kind === 'restriction');
      if (!restriction) return { id, flags: [] };
      const monday = weekStart(input.date);
      const flags = contactFlags(termsOf(restriction), {
        channel: 'phone',
        complaintId: input.complaintId,
        toAddresses: [],
        officerEmail: restriction.officerEmail,
        earlierThisWeek: await repo.contactsSince(
          personId,
          startOfLondonDay(monday),
          startOfLondonDay(addDays(monday, 7)),
        ),
        call: {
          date: input.date,
          startMinutes: input.startMinutes,
          minutes: input.minutes,
          officerId: input.officerId,
        },
      });
      await repo.insertContact({
        person_id: personId,
        record_id: restriction.id,
        complaint_id: input.complaintId,
        channel: 'phone',
        item_id: null,
        call_id: id,
        flags,
        received_at: calledAt,
      });
      return { id, flags };
    });
  }

  /** What the call form offers: the person's cases and the staff who may have taken the call. */
  async callChoices(actor: Actor, personId: string) {
    this.needs(actor, 'complaints:read');
    if (!(await this.people.exists(personId))) throw notFound('The person');
    const [parties, staff] = await Promise.all([this.people.partiesOf(personId), this.repo.staff()]);
    return { parties, staff };
  }

  // Reviews ---------------------------------------------------------------------------------------

  /** A review: extend (a new date), vary (new terms, and a new date if given) or lift. Each sends a letter. */
  async review(
    actor: Actor,
    recordId: string,
    input: ReviewInput,
  ): Promise<{ id: string; status: 'active' | 'lifted'; reviewDate: string | null; letterId: string }> {
    this.needs(actor, 'conduct:manage', 'Only a casework manager may review a warning or a restriction');
    if (!isUuid(recordId)) throw notFound('The restriction');
    // Read before the transaction: the library reads on its own connection.
    const policyUrl = (await this.policy())?.url ?? null;
    return this.repo.transaction(async (repo) => {
      const locked = await repo.lockRecord(recordId);
      if (!locked) throw notFound('The restriction');
      if (locked.status === 'lifted') throw conflict('It has been lifted already: record a new one if it is needed');
      const record = await repo.record(recordId);
      if (!record) throw notFound('The restriction');
      const today = this.today();
      const problems: FieldError[] = [];
      if (input.outcome === 'extend' && input.reviewOn === null) {
        problems.push({ field: 'reviewDate', message: 'Enter the new review date' });
      }
      if (input.outcome !== 'lift' && input.reviewOn !== null)
        problems.push(...reviewDateProblems(input.reviewOn, today));
      let officerActive = true;
      if (input.outcome === 'vary') {
        if (record.kind === 'warning')
          problems.push({ field: 'outcome', message: 'A warning has no terms to vary: extend or lift it' });
        else if (!input.terms || !hasTerms(input.terms))
          problems.push({ field: 'terms', message: 'Choose at least one restriction' });
        if (input.terms) problems.push(...tellAuthorityProblems(input.terms));
        if (input.terms?.callTimes && parseCallTimes(input.terms.callTimes) === null) {
          problems.push({ field: 'callTimes', message: `Enter the call times as ${CALL_TIMES_HINT.toLowerCase()}` });
        }
        if (input.terms?.namedOfficerId) {
          officerActive =
            isUuid(input.terms.namedOfficerId) && (await repo.activeStaff(input.terms.namedOfficerId)) !== undefined;
          if (!officerActive)
            problems.push({
              field: 'namedOfficerId',
              message: 'Choose an active member of staff as the named officer',
            });
        }
      }
      if (problems.length > 0) throw invalid(problems);
      const parties = await this.people.partiesOf(record.person_id, repo.db);
      if (input.terms?.settledComplaintId && !parties.some((p) => p.complaintId === input.terms?.settledComplaintId)) {
        throw invalid([
          { field: 'settledComplaintId', message: 'Choose one of this person’s complaints as the settled matter' },
        ]);
      }
      const now = this.clock.now();
      const lifted = input.outcome === 'lift';
      const reviewOn = lifted ? null : (input.reviewOn ?? record.review_on);
      const reviewId = await repo.insertReview({
        record_id: recordId,
        outcome: input.outcome,
        reason: input.reason,
        previous_review_on: record.review_on,
        review_on: reviewOn,
        terms_before: input.outcome === 'vary' ? linesOf(record).join('\n') : null,
        reviewed_by: actor.type === 'user' ? actor.id : null,
        reviewed_at: now,
      });
      const terms = input.outcome === 'vary' && input.terms ? input.terms : null;
      await repo.updateRecord(recordId, {
        ...(lifted
          ? { status: 'lifted' as const, lifted_at: now }
          : { review_on: reviewOn ?? record.review_on, reminded_at: null }),
        ...(terms
          ? {
              channels: [...terms.channels],
              named_officer_id: terms.namedOfficerId,
              call_times: terms.callTimes,
              max_call_minutes: terms.maxCallMinutes,
              written_only: terms.writtenOnly,
              weekly_contact_cap: terms.weeklyContactCap,
              settled_complaint_id: terms.settledComplaintId,
              tell_authority: terms.tellAuthority,
            }
          : {}),
        updated_at: now,
      });
      const after = await repo.record(recordId);
      if (!after) throw notFound('The restriction');
      const letter = reviewLetter({
        policyUrl,
        name: parties[0]?.name ?? 'Sir or Madam',
        kind: record.kind,
        outcome: input.outcome,
        reason: input.reason,
        terms: linesOf(after),
        reviewOn,
      });
      const letterId = await this.sendLetter(repo, actor, after, parties, reviewId, letter);
      await repo.audit({
        actor: auditActor(actor),
        action: `conduct.${input.outcome === 'lift' ? 'lifted' : input.outcome === 'extend' ? 'extended' : 'varied'}`,
        recordType: 'conduct-record',
        recordId,
        requestId: actor.requestId ?? null,
      });
      return { id: recordId, status: lifted ? 'lifted' : 'active', reviewDate: reviewOn, letterId };
    });
  }

  /**
   * Reminds the casework manager who recorded each warning or restriction (every active casework
   * manager when no active person did, e.g. one recorded through the API) of the reviews due within
   * the reminder's days and any overdue, once per review date.
   */
  async remindReviewsDue(): Promise<number> {
    const today = this.today();
    const due = await this.repo.reviewsToRemind(addDays(today, REMINDER_DAYS));
    let sent = 0;
    for (const row of due) {
      await this.repo.transaction(async (repo) => {
        if (!(await repo.markReminded(row.id, this.clock.now()))) return;
        const overdue = row.review_on < today;
        const what = KIND_NAMES[row.kind].toLowerCase();
        const managers =
          row.email !== null && row.display_name !== null
            ? [{ email: row.email, display_name: row.display_name }]
            : await repo.caseworkManagers();
        for (const manager of managers) {
          await repo.enqueueMail({
            kind: 'conduct.review-reminder',
            to: manager.email,
            subject: `${overdue ? 'Review overdue' : 'Review due'}: a ${what} to review by ${row.review_on}`,
            text: [
              `Dear ${manager.display_name},`,
              `A ${what} is to be reviewed by ${row.review_on}${overdue ? ', which has passed' : ''}.`,
              'Review it: extend it (with the reason and a new date), vary its terms, or lift it. The person is sent a letter with the outcome.',
              `${this.settings.baseUrl}/staff/restrictions/${row.id}`,
            ].join('\n\n'),
            idempotencyKey: `conduct-review:${row.id}:${row.review_on}:${manager.email}`,
            automatic: true,
          });
        }
        sent++;
      });
    }
    return sent;
  }

  // Reading ---------------------------------------------------------------------------------------

  private shape(r: RecordWithNames, today: string) {
    return Object.assign(
      {
        kindName: KIND_NAMES[r.kind],
        terms: linesOf(r),
        reviewState: r.status === 'active' ? reviewState(r.review_on, today) : null,
      },
      r,
    );
  }

  /** A person's warnings and restrictions, letters and contacts. */
  async ofPerson(actor: Actor, personId: string) {
    this.needs(actor, 'complaints:read');
    if (!(await this.people.exists(personId))) throw notFound('The person');
    const today = this.today();
    const [parties, records, contacts, calls] = await Promise.all([
      this.people.partiesOf(personId),
      this.repo.recordsOf(personId),
      this.repo.contactsOf({ personId }),
      this.repo.callsOf({ personId }),
    ]);
    return {
      parties,
      calls: calls.map((c) => Object.assign({ flagNames: (c.flags ?? []).map((f) => FLAG_NAMES[f as Flag] ?? f) }, c)),
      records: records.map((r) => this.shape(r, today)),
      contacts: contacts.map((c) => Object.assign({ flagNames: c.flags.map((f) => FLAG_NAMES[f as Flag] ?? f) }, c)),
      canManage: can(actor, 'conduct:manage'),
      policy: await this.policy(),
      warned: records.some((r) => r.kind === 'warning'),
      restricted: records.some((r) => r.kind === 'restriction' && r.status === 'active'),
    };
  }

  /** One warning or restriction, with its reviews and letters. */
  async one(actor: Actor, id: string) {
    this.needs(actor, 'complaints:read');
    const record = isUuid(id) ? await this.repo.record(id) : undefined;
    if (!record) throw notFound('The restriction');
    const [reviews, letters, parties] = await Promise.all([
      this.repo.reviewsOf(id),
      this.repo.lettersOf(id),
      this.people.partiesOf(record.person_id),
    ]);
    return {
      policy: await this.policy(),
      record: this.shape(record, this.today()),
      reviews,
      letters,
      parties,
      canManage: can(actor, 'conduct:manage'),
    };
  }

  /** Everything in force, for casework managers: overdue reviews first. */
  async overview(actor: Actor) {
    this.needs(actor, 'conduct:manage');
    const today = this.today();
    const rows = (await this.repo.allActive()).map((r) => this.shape(r, today));
    const names = await Promise.all(rows.map(async (r) => (await this.people.partiesOf(r.person_id))[0]?.name ?? ''));
    const withNames = rows.map((r, i) => Object.assign({ personName: names[i] ?? '' }, r));
    return {
      overdue: withNames.filter((r) => r.reviewState === 'overdue'),
      dueSoon: withNames.filter((r) => r.reviewState === 'due-soon'),
      later: withNames.filter((r) => r.reviewState === 'later'),
    };
  }

  /**
   * The casework managers' home panel: warnings and restrictions whose review date has passed, then
   * those due within the reminder's days, soonest first. Null for anyone else.
   */
  homePanel = async (actor: Actor): Promise<Panel | null> => {
    if (actor.authorityId !== null || !can(actor, 'conduct:manage')) return null;
    const today = this.today();
    const due = (await this.repo.allActive()).filter((r) => reviewState(r.review_on, today) !== 'later');
    const overdue = due.filter((r) => r.review_on < today).length;
    const shown = due.slice(0, HOME_PANEL_ITEMS);
    const parties = await Promise.all(shown.map((r) => this.people.partiesOf(r.person_id)));
    const soon = due.length - overdue;
    return {
      id: 'conduct-reviews',
      heading: 'Reviews of warnings and restrictions',
      total: due.length,
      summary:
        [overdue > 0 ? `${overdue} overdue` : null, soon > 0 ? `${soon} due soon` : null].filter(Boolean).join(', ') ||
        null,
      empty: 'No review of a warning or restriction is overdue or due in the next two weeks',
      viewAll: { href: '/staff/restrictions', text: 'View all warnings and restrictions' },
      items: shown.map((r, i) => ({
        href: `/staff/restrictions/${r.id}`,
        text: `${KIND_NAMES[r.kind]}: ${parties[i]?.[0]?.name ?? 'a person'}`,
        reference: parties[i]?.[0]?.reference ?? '',
        dueDate: r.review_on,
        tag:
          r.review_on < today
            ? { text: 'Review overdue', classes: 'govuk-tag--red' }
            : { text: 'Review due soon', classes: 'govuk-tag--yellow' },
      })),
    };
  };

  /** The contacts from people whose named officer is the actor. */
  async myQueue(actor: Actor) {
    this.needs(actor, 'complaints:read');
    if (actor.type !== 'user') return [];
    const rows = await this.repo.contactsOf({ officerId: actor.id });
    return rows.map((c) => Object.assign({ flagNames: c.flags.map((f) => FLAG_NAMES[f as Flag] ?? f) }, c));
  }

  /** Active staff, to choose a named officer from. */
  async staff(actor: Actor) {
    this.needs(actor, 'conduct:manage');
    return this.repo.staff();
  }

  /** A letter as a PDF, for post. */
  async letterPdf(actor: Actor, id: string): Promise<{ filename: string; pdf: Buffer }> {
    this.needs(actor, 'complaints:read');
    const letter = isUuid(id) ? await this.repo.letter(id) : undefined;
    if (!letter) throw notFound('The letter');
    return {
      filename: `letter-${letter.created_at.toISOString().slice(0, 10)}.pdf`,
      pdf: letterPdf({ title: letter.subject, body: letter.body }),
    };
  }

  /** The restriction in force on a party of the case, for the API (staff only). */
  async restrictionOfCase(actor: Actor, complaintId: string) {
    if (actor.authorityId !== null || !can(actor, 'complaints:read')) return null;
    const people = (await this.people.peopleOfCases([complaintId])).map((p) => p.personId);
    const record = (await this.repo.activeOf(people)).find((r) => r.kind === 'restriction');
    return record ? { id: record.id, terms: linesOf(record), reviewDate: record.review_on } : null;
  }

  /**
   * What an authority's portal case page says of a restriction, when the ombudsman decided the
   * authority must be told: only that contact goes through the named officer. Never the reasons or
   * the other terms. Null for staff, and when nothing is to be told.
   */
  async portalNotice(actor: Actor, complaintId: string): Promise<{ role: string; officerName: string }[]> {
    if (actor.authorityId === null) return [];
    const onCase = await this.people.peopleOfCases([complaintId]);
    const told = (await this.repo.activeOf(onCase.map((p) => p.personId))).filter(
      (r) => r.kind === 'restriction' && r.tell_authority && r.officerName !== null,
    );
    const out: { role: string; officerName: string }[] = [];
    for (const r of told) {
      for (const p of await this.people.partiesOf(r.person_id)) {
        if (p.complaintId !== complaintId) continue;
        out.push({
          role: p.role === 'representative' ? 'the representative' : 'the complainant',
          officerName: r.officerName ?? '',
        });
      }
    }
    return out;
  }

  /** The case's parties with their people and what is in force on each, for the case's Contact tab. */
  async ofCase(actor: Actor, complaintId: string) {
    const parties = await this.people.ofCase(actor, complaintId);
    const today = this.today();
    const records = await this.repo.activeOf(parties.map((p) => p.personId));
    const [contacts, calls] = await Promise.all([
      this.repo.contactsOf({ complaintId }),
      this.repo.callsOf({ complaintId }),
    ]);
    return {
      calls: calls.map((c) => Object.assign({ flagNames: (c.flags ?? []).map((f) => FLAG_NAMES[f as Flag] ?? f) }, c)),
      parties: parties.map((p) =>
        Object.assign(
          { records: records.filter((r) => r.person_id === p.personId).map((r) => this.shape(r, today)) },
          p,
        ),
      ),
      contacts: contacts.map((c) => Object.assign({ flagNames: c.flags.map((f) => FLAG_NAMES[f as Flag] ?? f) }, c)),
      canManage: can(actor, 'conduct:manage'),
    };
  }

  // What other modules ask ------------------------------------------------------------------------

  /** Markers for the case pages and lists: what is in force on a party, or a possible match with a restricted person. */
  caseMarkers = async (complaintIds: readonly string[]): Promise<Map<string, CaseMarker[]>> => {
    const out = new Map<string, CaseMarker[]>();
    const onCases = await this.people.peopleOfCases(complaintIds);
    if (onCases.length === 0) return out;
    const personIds = [...new Set(onCases.map((p) => p.personId))];
    const today = this.today();
    const [active, restricted] = await Promise.all([this.repo.activeOf(personIds), this.repo.restrictedPeople()]);
    const add = (complaintId: string, marker: CaseMarker) =>
      out.set(complaintId, [...(out.get(complaintId) ?? []), marker]);
    for (const { complaintId, personId } of onCases) {
      const mine = active.filter((a) => a.person_id === personId);
      // A restriction in force says it all: the warning before it is not shown as well.
      const shown = mine.some((r) => r.kind === 'restriction') ? mine.filter((r) => r.kind === 'restriction') : mine;
      for (const r of shown) {
        const state = reviewState(r.review_on, today);
        const review =
          state === 'overdue' ? `Review overdue: it was due by ${r.review_on}` : `Review by ${r.review_on}`;
        add(
          complaintId,
          r.kind === 'restriction'
            ? {
                tag: 'Contact restricted',
                title: 'Contact with this person is restricted',
                lines: [...linesOf(r), review],
                href: `/staff/restrictions/${r.id}`,
                variant: 'warning',
              }
            : {
                tag: 'Warned',
                title: 'This person has been warned about their behaviour',
                lines: [`Warned on ${r.starts_on}`, review],
                href: `/staff/restrictions/${r.id}`,
                variant: 'information',
              },
        );
      }
    }
    const unrestricted = personIds.filter((p) => !restricted.includes(p));
    const pairs = await this.people.samePairs(unrestricted, restricted);
    for (const { complaintId, personId } of onCases) {
      const pair = pairs.find((p) => p.personId === personId);
      if (!pair) continue;
      add(complaintId, {
        tag: 'May be restricted',
        title: 'A party may be a person whose contact is restricted',
        lines: [
          'They share an email address or a phone number with a person under a contact restriction: compare them and link them if they are the same person.',
        ],
        href: `/staff/people/${pair.otherId}`,
        variant: 'warning',
      });
    }
    return out;
  };

  /** A message filed on a case: from a restricted person, it is recorded with what it breached (never refused). */
  inboundFiled: InboundFiledHook = async (trx, filed) => {
    if (filed.audience !== 'complainant' || filed.fromAddress === null) return;
    const repo = this.repo.with(trx);
    const [onCase, byEmail] = await Promise.all([
      this.people.peopleOfCases([filed.complaintId], trx),
      this.people.peopleByEmail(filed.fromAddress, trx),
    ]);
    const senders = onCase.map((p) => p.personId).filter((p) => byEmail.includes(p));
    const restrictions = (await repo.activeOf(senders)).filter((r) => r.kind === 'restriction');
    for (const r of restrictions) {
      const since = startOfLondonDay(weekStart(this.calendar.londonDate(filed.receivedAt)));
      const flags = contactFlags(termsOf(r), {
        channel: 'email',
        complaintId: filed.complaintId,
        toAddresses: filed.toAddresses,
        officerEmail: r.officerEmail,
        earlierThisWeek: await repo.contactsSince(r.person_id, since),
      });
      await repo.insertContact({
        person_id: r.person_id,
        record_id: r.id,
        complaint_id: filed.complaintId,
        channel: 'email',
        item_id: filed.itemId,
        flags,
        received_at: filed.receivedAt,
      });
    }
  };

  /** A person's erasure: conduct's words about them go (reasons, letters' text, call notes), in the erasure's transaction. */
  erasePerson = (db: DbOrTx, personId: string): Promise<void> => this.repo.with(db).eraseOf(personId);

  /** A person with warnings or restrictions keeps them: their only party may not leave to join another person. */
  linkCheck = async (db: DbOrTx, personId: string): Promise<string | null> =>
    (await this.repo.with(db).hasRecords(personId))
      ? 'This party’s person has warnings or restrictions on record: link the other way, from that person’s page'
      : null;

  /** The case timeline's entries: letters recorded on the case and contacts received outside a restriction. */
  timeline = async (complaintId: string): Promise<TimelineEvent[]> => {
    const [letters, contacts] = await Promise.all([
      this.repo.lettersOnCase(complaintId),
      this.repo.contactsOf({ complaintId }),
    ]);
    return [
      ...letters.map((l): TimelineEvent => ({
        at: l.created_at,
        kind: 'correspondence',
        label: `${KIND_NAMES[l.kind]}: letter to the person`,
        text: l.item_id ? `${l.subject} (sent by email)` : `${l.subject} (for post)`,
        href: `/staff/restrictions/${l.recordId}`,
        authorityVisible: false,
      })),
      ...contacts
        .filter((c) => c.flags.length > 0)
        .map((c): TimelineEvent => ({
          at: c.receivedAt,
          kind: 'correspondence',
          label: 'Contact received outside the restriction',
          text: c.flags.map((f) => FLAG_NAMES[f as Flag] ?? f).join('; '),
          authorityVisible: false,
        })),
    ];
  };
}
