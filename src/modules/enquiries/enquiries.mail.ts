/**
 * What enquiries write to authorities, as correspondence on the case. Plain text: what the letter
 * says and where to answer it. Who receives it is decided when it is sent.
 */
export interface Letter {
  subject: string;
  text: string;
}

const longDate = (iso: string) =>
  new Intl.DateTimeFormat('en-GB', { timeZone: 'UTC', weekday: 'long', day: 'numeric', month: 'long', year: 'numeric' })
    .format(new Date(`${iso}T00:00:00Z`))
    .replace(',', '');

export { longDate };

export function enquiryMail(p: {
  enquiryId: string;
  number: number;
  complaintReference: string;
  authorityName: string;
  addressedTo: string;
  statementOfComplaint: string | null;
  questions: string[];
  documentsRequested: string | null;
  dueDate: string;
  link: string;
}): Letter {
  const lines = [
    `Dear ${p.addressedTo},`,
    '',
    `Complaint ${p.complaintReference} about ${p.authorityName}: enquiry ${p.number}`,
    '',
    'The ombudsman is investigating this complaint and asks the authority to answer the questions below.',
    `Please respond by ${longDate(p.dueDate)}.`,
    '',
  ];
  if (p.statementOfComplaint) lines.push('Statement of complaint', p.statementOfComplaint, '');
  lines.push('Questions');
  p.questions.forEach((q, i) => lines.push(`${i + 1}. ${q}`));
  if (p.documentsRequested) lines.push('', 'Documents requested', p.documentsRequested);
  lines.push(
    '',
    `Answer each question in the authority portal: ${p.link}`,
    'If you need more time, ask for an extension there, with your reason.',
    '',
    'This letter is addressed to the chief executive and sent to the authority’s link officers.',
  );
  return {
    subject: `Enquiry ${p.number} on complaint ${p.complaintReference}: response due ${longDate(p.dueDate)}`,
    text: lines.join('\n'),
  };
}

export function extensionDecisionMail(p: {
  number: number;
  complaintReference: string;
  granted: boolean;
  newDueDate: string | null;
  reason: string;
  link: string;
}): Letter {
  const outcome = p.granted
    ? `The ombudsman has granted more time: the response is now due by ${longDate(p.newDueDate ?? '')}.`
    : 'The ombudsman has refused the request for more time: the due date has not changed.';
  return {
    subject: `Extension ${p.granted ? 'granted' : 'refused'}: enquiry ${p.number} on complaint ${p.complaintReference}`,
    text: [outcome, '', `Reason: ${p.reason}`, '', `See the enquiry: ${p.link}`].join('\n'),
  };
}

export function allocationMail(p: {
  complaintReference: string;
  authorityName: string;
  addressedTo: string;
  summary: string;
}): Letter {
  return {
    subject: `Complaint ${p.complaintReference}: the ombudsman is investigating`,
    text: [
      `Dear ${p.addressedTo},`,
      '',
      `The ombudsman has decided to investigate complaint ${p.complaintReference} about ${p.authorityName}.`,
      '',
      'What the complaint is about:',
      p.summary,
      '',
      'The authority, and anyone whose actions are complained about, may comment now. The investigator',
      'will send enquiries with the questions the authority must answer and the date to answer them by.',
    ].join('\n'),
  };
}
