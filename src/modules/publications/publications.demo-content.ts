import type { PublicationInput } from './publications.service.ts';

/**
 * The demo's publications, written for it: what a local government ombudsman publishes for the
 * councils and care providers it investigates. Dates are when each went public.
 */
export interface DemoPublication extends PublicationInput {
  publishedAt: string;
  /** A correction made later: the text first published said `was` where the body now says `is`. */
  correction?: { at: string; note: string; was: string; is: string };
}

export const DEMO_PUBLICATIONS: readonly DemoPublication[] = [
  {
    kind: 'focus-report',
    publishedAt: '2026-02-12T10:00:00Z',
    title: 'Missed and late: what complaints about home care visits tell councils',
    summary:
      'Lessons from the complaints we decided about home care commissioned by councils: visits missed or cut short, ' +
      'rotas that did not work, and charges for care that never came.',
    topics: ['adult-social-care', 'complaint-handling'],
    partners: [],
    councillorQuestions: [
      'How does the council know how many commissioned home care visits are missed or shortened each month?',
      'When a visit is missed, who tells the person and their family, and how quickly?',
      'Are people refunded for care they were charged for but did not receive?',
      'How do contract monitoring officers use complaints to judge a provider’s performance?',
      'When did councillors last see a report on complaints about home care?',
    ],
    body: `## Introduction

Home care lets people stay in their own homes when they need help to wash, dress, eat and take their medicines. When a visit is missed, the consequences are immediate: someone goes without a meal, sits in a soiled bed, or misses a dose.

Over the last year we decided more than 300 complaints about home care arranged or commissioned by councils. We upheld seven in ten of those we investigated in detail. This report draws on that casework to help councils, and the councillors who scrutinise them, spot the same problems before they turn into complaints.

## What we found

Most complaints were about **visits that did not happen, or happened too late or too briefly** to meet the person’s assessed needs. Behind them we often found:

- rotas with too little travel time between visits, so carers ran later as the day went on;
- no system to alert anyone when a visit was missed, so families found out first;
- councils relying on the provider’s own account of what happened, without checking call monitoring records;
- charges for the full package of care when part of it was never delivered.

| Problem found | Share of upheld complaints |
|---|---|
| Missed or late visits | 58% |
| Visits cut short | 21% |
| Charging for care not delivered | 13% |
| Poor communication with families | 36% |

Many complaints showed more than one problem, so the shares add up to more than 100%.

## Case study: Mrs K

Mrs K, who lives with dementia, was assessed as needing four visits a day. Over six weeks, her daughter recorded 19 missed visits. The provider told the council that carers had been turned away at the door. The council accepted this without looking at the provider’s electronic call records, which showed carers had never arrived.

> The council is responsible for the care it arranges, even when another organisation provides it. It cannot rely on the provider’s account alone.

The council agreed to apologise, refund the charges for the missed visits, pay Mrs K £500 for the distress caused, and review how it checks providers’ records when a complaint is made.

## Good practice

Some councils told us what had worked for them:

1. using call monitoring data to spot late and missed visits as they happen, not weeks later;
2. naming one officer who owns each complaint about a provider, whoever the provider is;
3. refunding charges for undelivered care without waiting for the person to ask;
4. reporting complaints about commissioned care to councillors alongside the council’s own.

## What councils should do

Councils should make sure that complaints about commissioned care are investigated by the council itself where the provider’s answer does not resolve them, that people are never charged for care they did not receive, and that what complaints reveal reaches those who monitor contracts.`,
  },
  {
    kind: 'focus-report',
    publishedAt: '2026-09-17T10:00:00Z',
    title: 'Waiting to be heard: complaints about education, health and care plans',
    summary:
      'Delays in issuing and reviewing education, health and care plans remain the most common reason families ' +
      'complain to us about children’s special educational needs.',
    topics: ['education', 'childrens-services'],
    partners: [],
    councillorQuestions: [
      'What share of new education, health and care plans does the council issue within 20 weeks?',
      'How does the council make sure the provision in a plan is actually delivered?',
      'What does the council do when it cannot find a school place named in a plan?',
    ],
    body: `## Summary

Families told us about plans issued months late, annual reviews that never happened, and support written into plans that was not delivered. In nearly every case the delay meant a child went without help they were entitled to.

## The law

A council must issue a final education, health and care plan within **20 weeks** of the request for an assessment, except in limited circumstances. Once a plan is in place, the council must make sure the special educational provision in it is made. That duty cannot be delegated away to a school.

## What we found

- Delays were rarely caused by one thing: shortages of educational psychologists, late advice from health services and too few caseworkers combined.
- Families were often not told why a plan was late, or when to expect it.
- When provision was missing, councils told families to take it up with the school.

## Remedies we ask for

Where a child has missed provision because of fault, we usually ask the council to pay for the lost education or support, to apologise, and to put things right for other children in the same position. Councils should not wait for each family to complain.

## Questions for the council

Councillors can use the questions below to understand how their council is doing.`,
  },
  {
    kind: 'guidance-note',
    publishedAt: '2026-04-02T10:00:00Z',
    title: 'Responding to our enquiries: guidance for link officers',
    summary:
      'What we need from an authority when we make enquiries, how long you have to answer, and how to ask for more time.',
    topics: ['link-officers', 'complaint-handling'],
    partners: [],
    councillorQuestions: [],
    body: `## When we make enquiries

When we decide to investigate a complaint, we write to the authority’s chief executive, through its link officers, with our **enquiries**: the questions we need answered and the documents we need to see. The first enquiry includes a statement of the complaint.

## How long you have

You have **20 working days** to respond. If you need more time, ask before the deadline and say why; we usually agree a short extension. If we do not receive a response, we may use our formal powers to require information.

## A good response

A good response:

- answers every question, in order, and says plainly when something is not known;
- includes the records we asked for, not a summary of them;
- tells us about anything the authority has already done to put things right;
- names the officer we can contact with questions.

## Documents and personal data

Send only what is relevant to the complaint. Do not send information about other people unless we ask for it. Mark any document that should not be shared with the complainant, and tell us why.`,
    correction: {
      at: '2026-05-11T09:00:00Z',
      note: 'We corrected the number of working days an authority has to respond: it is 20, not 15.',
      was: '**15 working days**',
      is: '**20 working days**',
    },
  },
  {
    kind: 'guidance-note',
    publishedAt: '2026-11-05T10:00:00Z',
    title: 'Putting things right: our guidance on remedies',
    summary:
      'How we decide what an authority should do when we find fault causing injustice, and how to show us it was done.',
    topics: ['remedies', 'good-administration'],
    partners: [],
    councillorQuestions: [],
    body: `## Our approach

Where we find fault that caused injustice, we recommend a **remedy**. Our aim is to put the person back in the position they would have been in but for the fault. Where that is not possible, we ask for a remedy that acknowledges the injustice.

## Kinds of remedy

| Remedy | When we ask for it |
|---|---|
| Apology | Almost always, where we find fault causing injustice |
| Financial payment | For a loss, or for distress, time and trouble |
| Other action | To reconsider a decision, or provide a missed service |
| Service improvement | Where others are likely to be affected in the same way |

## Evidence of compliance

Every remedy has a due date. Send us **evidence** that it was done by that date: a copy of the apology letter, proof of payment, or the revised procedure. If something prevents you from complying on time, tell us before the date.`,
  },
  {
    kind: 'joint-report',
    publishedAt: '2026-07-09T10:00:00Z',
    title: 'Joined up: handling complaints that cross health and social care',
    summary:
      'How councils and health bodies can handle one complaint together when a person’s care crossed from one to the other.',
    topics: ['adult-social-care', 'complaint-handling'],
    partners: ['The Health Service Complaints Ombudsman', 'The Care Quality Forum'],
    councillorQuestions: ['Does the council have an agreement with local health bodies on handling joint complaints?'],
    body: `## Why this matters

A person leaving hospital may be cared for by the NHS one day and by a council-funded care home the next. When something goes wrong, they should not have to work out which organisation to complain to.

## What we recommend

- Agree, in advance, which body leads when a complaint involves both health and social care.
- Send the person **one response**, agreed by both organisations.
- Tell the person they can bring the complaint to both ombudsmen together, and that we will investigate it jointly.

## Working together

We investigate joint complaints with our partners as one team, issue one decision, and agree remedies that each organisation carries out.`,
  },
  {
    kind: 'policy',
    publishedAt: '2026-03-03T10:00:00Z',
    title: 'Our policy on unreasonable complainant behaviour',
    summary:
      'How we respond when a person’s behaviour, by its nature or frequency, makes it hard for us to deal with their ' +
      'complaint or other people’s, and what they can do if they disagree.',
    topics: ['unreasonable-behaviour'],
    partners: [],
    councillorQuestions: [],
    body: `## Who this policy is for

Most people who complain to us are courteous, even when they are upset. This policy is about the few whose behaviour, **by its nature or frequency**, hinders our consideration of their complaint or other people’s. Authorities may find it useful when writing their own.

## What we may do

We will only restrict contact when we need to. We may:

- ask the person to use one way of contacting us, or to deal with one named officer;
- set the times, or the length, of telephone calls;
- ask for contact in writing only;
- limit the time we spend on the complaint;
- not reply to repeated contact about a matter we have already decided.

## Warning first

We will **warn the person first** and explain what will happen if the behaviour continues, unless the safety of our staff is at risk.

## Telling the person in writing

When we decide to restrict contact, we write to the person to explain:

1. why we have made the decision;
2. what the restriction is;
3. how long it will last;
4. when we will review it;
5. how to complain about the decision.

## Review

We review every restriction by its review date, and remove any marker on a person’s record as soon as it is no longer needed.`,
  },
];

/** A draft, to show an editor's work in progress. */
export const DEMO_DRAFT: PublicationInput = {
  kind: 'annual-report',
  title: 'Annual review of local government complaints 2026–27',
  summary: 'Our review of the complaints we received and decided about councils in the year to 31 March 2027.',
  topics: ['complaint-handling'],
  partners: [],
  councillorQuestions: [],
  body: '## The year in numbers\n\nFigures to follow once the year’s decisions are complete.',
};
