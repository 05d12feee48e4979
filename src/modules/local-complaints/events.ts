/**
 * What each event does to a local complaint's stages, or why it cannot happen, and what the record
 * says about the authority's process for the ombudsman's intake. Pure: no I/O.
 */
import type { FieldError } from '../../platform/errors.ts';
import {
  OUTCOME_NAMES,
  formatDay as isoDay,
  isOutcome,
  stageClock,
  type Calendar,
  type EventType,
  type RecordState,
  type StageRule,
  type StageState,
} from './domain.ts';

export interface EventInput {
  type: EventType;
  on: string;
  handler?: string | null | undefined;
  reason?: string | null | undefined;
  extensionWorkingDays?: number | null | undefined;
  outcome?: string | null | undefined;
  toldOfOmbudsman?: boolean | null | undefined;
}

export interface Applied {
  stage: number;
  closedOn: string | null;
  stages: StageState[];
  /** What the event changed, for the record's history. */
  detail: string | null;
}

const sameHandler = (a: string | null, b: string) => a !== null && a.trim().toLowerCase() === b.trim().toLowerCase();

/**
 * What an event does to a record, or why it cannot happen: the date must fall between the stage's
 * start (and never before receipt) and today; one acknowledgement, one extension within the
 * maximum (with a reason), one response per stage; escalation only after a response, to a stage
 * the route has, with a different handler; nothing after closure.
 */
export function applyEvent(
  rules: readonly StageRule[],
  r: RecordState,
  e: EventInput,
  today: string,
): Applied | { errors: FieldError[] } {
  const fail = (field: string, message: string) => ({ errors: [{ field, message }] });
  if (r.closedOn)
    return fail('type', `The complaint was closed on ${isoDay(r.closedOn)}: nothing more can be recorded`);
  if (e.on < r.receivedOn)
    return fail('on', `The date must be on or after the day the complaint was received (${isoDay(r.receivedOn)})`);
  if (e.on > today) return fail('on', 'The date must be today or in the past');
  const stages = r.stages.map((s) => ({ ...s }));
  const current = stages.find((s) => s.stage === r.stage);
  const rule = rules[r.stage - 1];
  if (!current || !rule) return fail('type', 'The complaint’s current stage is not one its route has');
  if (e.on < current.openedOn)
    return fail('on', `The date must be on or after ${rule.name.toLowerCase()} began (${isoDay(current.openedOn)})`);
  const handler = e.handler?.trim() || null;
  const name = rule.name;
  switch (e.type) {
    case 'acknowledged': {
      if (current.acknowledgedOn)
        return fail('type', `${name} was already acknowledged on ${isoDay(current.acknowledgedOn)}`);
      if (current.respondedOn) return fail('type', `${name} has already had its response`);
      if (handler && r.stage > 1) {
        const earlier = stages.find((s) => s.stage < r.stage && sameHandler(s.handler, handler));
        if (earlier)
          return fail(
            'handler',
            `The ${name.toLowerCase()} handler must be a different person from stage ${earlier.stage}’s`,
          );
      }
      current.acknowledgedOn = e.on;
      if (handler) current.handler = handler;
      return { stage: r.stage, closedOn: null, stages, detail: handler ? `Handler: ${handler}` : null };
    }
    case 'extended': {
      if (current.respondedOn) return fail('type', `${name} has already had its response`);
      if (rule.maxExtensionDays === 0) return fail('extensionWorkingDays', `${name} has no extension on this route`);
      if (current.extensionWorkingDays)
        return fail(
          'extensionWorkingDays',
          `${name} has already had its one extension (${current.extensionWorkingDays} working days)`,
        );
      const days = e.extensionWorkingDays ?? null;
      if (days === null || !Number.isInteger(days) || days < 1)
        return fail('extensionWorkingDays', 'Enter the extension in working days, a whole number of 1 or more');
      if (days > rule.maxExtensionDays)
        return fail(
          'extensionWorkingDays',
          `An extension at ${name.toLowerCase()} may be at most ${rule.maxExtensionDays} working days`,
        );
      const reason = e.reason?.trim() || null;
      if (!reason) return fail('reason', 'Enter the reason for the extension, as the complainant was told it');
      if (current.acknowledgedOn && e.on < current.acknowledgedOn)
        return fail('on', `The date must be on or after the acknowledgement (${isoDay(current.acknowledgedOn)})`);
      current.extensionWorkingDays = days;
      current.extensionReason = reason;
      current.extendedOn = e.on;
      return { stage: r.stage, closedOn: null, stages, detail: `${days} working days: ${reason}` };
    }
    case 'responded': {
      if (current.respondedOn) return fail('type', `${name} was already answered on ${isoDay(current.respondedOn)}`);
      if (current.acknowledgedOn && e.on < current.acknowledgedOn)
        return fail('on', `The date must be on or after the acknowledgement (${isoDay(current.acknowledgedOn)})`);
      if (e.outcome != null && !isOutcome(e.outcome)) return fail('outcome', 'Select the outcome');
      current.respondedOn = e.on;
      current.outcome = e.outcome ?? null;
      current.toldOfOmbudsman = e.toldOfOmbudsman ?? null;
      if (handler && !current.handler) current.handler = handler;
      const parts = [
        e.outcome && isOutcome(e.outcome) ? OUTCOME_NAMES[e.outcome] : null,
        e.toldOfOmbudsman === true
          ? 'told they may go to the ombudsman'
          : e.toldOfOmbudsman === false
            ? 'not told of the ombudsman'
            : null,
      ].filter((p) => p !== null);
      return { stage: r.stage, closedOn: null, stages, detail: parts.length > 0 ? parts.join('; ') : null };
    }
    case 'escalated': {
      const next = rules[r.stage];
      if (!next) return fail('type', `${name} is the last stage of this complaint’s route: it cannot be escalated`);
      if (!current.respondedOn)
        return fail(
          'type',
          `A complaint can go to ${next.name.toLowerCase()} only after the ${name.toLowerCase()} response`,
        );
      if (e.on < current.respondedOn)
        return fail(
          'on',
          `The date must be on or after the ${name.toLowerCase()} response (${isoDay(current.respondedOn)})`,
        );
      if (!handler) return fail('handler', `Enter the ${next.name.toLowerCase()} handler`);
      const earlier = stages.find((s) => sameHandler(s.handler, handler));
      if (earlier)
        return fail(
          'handler',
          `The ${next.name.toLowerCase()} handler must be a different person from stage ${earlier.stage}’s (${earlier.handler ?? ''})`,
        );
      stages.push({
        stage: r.stage + 1,
        handler,
        openedOn: e.on,
        acknowledgedOn: null,
        extensionWorkingDays: null,
        extensionReason: null,
        extendedOn: null,
        respondedOn: null,
        outcome: null,
        toldOfOmbudsman: null,
      });
      return { stage: r.stage + 1, closedOn: null, stages, detail: `Handler: ${handler}` };
    }
    case 'closed':
      return { stage: r.stage, closedOn: e.on, stages, detail: e.reason?.trim() || null };
  }
}

/** A stage as it is first opened. */
export function openedStage(stage: number, openedOn: string, handler: string | null): StageState {
  return {
    stage,
    handler,
    openedOn,
    acknowledgedOn: null,
    extensionWorkingDays: null,
    extensionReason: null,
    extendedOn: null,
    respondedOn: null,
    outcome: null,
    toldOfOmbudsman: null,
  };
}

/**
 * What the local record says about the authority's process, for the ombudsman's premature check:
 * shown to the officer, never applied by itself.
 */
export function stageFinding(
  cal: Calendar,
  rules: readonly StageRule[],
  r: RecordState,
  today: string,
): { finished: boolean; text: string } {
  const s = r.stages.find((x) => x.stage === r.stage);
  const rule = rules[r.stage - 1];
  if (!s || !rule) return { finished: false, text: 'The local record has no stage to show.' };
  const last = r.stage >= rules.length;
  if (s.respondedOn) {
    const sent = `${rule.name} response sent ${isoDay(s.respondedOn)}`;
    if (last) return { finished: true, text: `${sent}: the authority’s process has finished.` };
    const next = rules[r.stage]?.name.toLowerCase() ?? 'the next stage';
    return {
      finished: r.closedOn !== null,
      text: r.closedOn
        ? `${sent}; ${next} was not asked for and the complaint was closed on ${isoDay(r.closedOn)}.`
        : `${sent}; ${next} has not been asked for.`,
    };
  }
  if (r.closedOn)
    return {
      finished: true,
      text: `Closed on ${isoDay(r.closedOn)} at ${rule.name.toLowerCase()} without a response.`,
    };
  const clock = stageClock(cal, rule, s);
  const due = s.acknowledgedOn ? clock.respond.date : clock.acknowledge.date;
  const what = s.acknowledgedOn ? 'response' : 'acknowledgement';
  if (due < today) {
    const late = cal.workingDaysBetween(due, today);
    return {
      finished: false,
      text: `${rule.name} ${what} overdue by ${late} working day${late === 1 ? '' : 's'} (due ${isoDay(due)}).`,
    };
  }
  return { finished: false, text: `${rule.name} under way: ${what} due by ${isoDay(due)}.` };
}
