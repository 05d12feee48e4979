-- The public page for link officers, in Markdown: the relationship lead keeps its text from then on.
INSERT INTO site_pages (key, title, body) VALUES ('link-officers', 'Information for link officers', $page$
Every council, public body and care provider we investigate names a **link officer**: the person who answers for it when we look into a complaint. This page explains what the role involves and how we work with you.

## What a link officer does

The link officer is the authority's single point of contact with us. When we make enquiries, send a draft decision or ask for evidence that a remedy was carried out, it goes to the link officer, who answers it or passes it to the colleague who can.

You are, in the authority, the voice of the ombudsman: you explain what we are asking for and why, and you make sure the authority answers fully and on time.

## How many link officers an authority may have

An authority may have **at most two** link officers. Both receive **everything** we send: we cannot send some kinds of enquiry to one and some to the other.

Many authorities also give us a **generic inbox** (for example `ombudsman@council.example`), which receives everything too, so colleagues can support the link officer and nothing waits for one person.

We need a **direct telephone number** for each link officer, so we can talk something through rather than write again.

## When you are away

Arrange cover before you go. A colleague you name as a delegate can answer the parts of an enquiry you hand them and keep things moving while you are out. Tell us if neither link officer will be available for a long time.

## Draft public reports

When we send a draft public report, the authority's **chief executive**, **monitoring officer** and the **head of the service** concerned must be told of it. Our letters are addressed to the chief executive; please make sure each of them sees it.

## Letting us know about changes

When a link officer leaves or changes role, tell us who replaces them as soon as you can, with their title, name, job title, email address and direct telephone number. Once a replacement is notified we keep nothing about the previous link officer.

[Tell us about a change of link officer or contact arrangements](/link-officer-change)

## Keeping up to date

Link officers receive the *Ombudsman Link* newsletter, and we run complaint-handling training for authorities and care providers. Our focus reports draw lessons from complaints on one subject, and our guidance notes set out what we expect of authorities. The latest are listed below, and every publication is in the [publications library](/publications), including our guidance on [unreasonable complainant behaviour](/publications?topic=unreasonable-behaviour).
$page$);
