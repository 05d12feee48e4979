import { describe, expect, it } from 'vitest';
import {
  TOKEN_ALPHABET,
  bounceAddress,
  newReplyToken,
  normaliseReplyToken,
  outboxIdFromBounceAddress,
  outboxIdFromMessageId,
  replyAddress,
  replyTokenFromAddress,
  threadIdFromMessageId,
  threadMessageId,
} from './reply-address.ts';

const ID = '0f8fad5b-d9cb-469f-a165-70867728950e';

describe('reply tokens', () => {
  it('are random, 16 characters, and never use look-alike letters', () => {
    const tokens = new Set(Array.from({ length: 200 }, () => newReplyToken()));
    expect(tokens.size).toBe(200);
    for (const token of tokens) {
      expect(token).toHaveLength(16);
      expect(token).not.toMatch(/[ilou]/);
      for (const ch of token) expect(TOKEN_ALPHABET).toContain(ch);
    }
  });

  it('survive retyping in capitals, with l or i for 1 and o for 0', () => {
    const token = '0123456789abcdef';
    expect(normaliseReplyToken('0123456789ABCDEF')).toBe(token);
    expect(normaliseReplyToken('O123456789abcdef')).toBe(token);
    expect(normaliseReplyToken('ol23456789abcdef')).toBe(token);
    expect(normaliseReplyToken('0I23456789abcdef')).toBe(token);
    expect(normaliseReplyToken('0123-4567 89ab.cdef')).toBe(token);
  });

  it('are refused when too short, too long or holding letters outside the alphabet', () => {
    expect(normaliseReplyToken('0123456789abcde')).toBeNull();
    expect(normaliseReplyToken('0123456789abcdefg')).toBeNull();
    expect(normaliseReplyToken('0123456789abcdeu')).toBeNull();
  });

  it('are read from a reply address at our domain only', () => {
    const token = newReplyToken();
    const address = replyAddress(token, 'liaison.test');
    expect(address).toBe(`case+${token}@liaison.test`);
    expect(replyTokenFromAddress(address.toUpperCase(), 'liaison.test')).toBe(token);
    expect(replyTokenFromAddress(`<${address}>`, 'liaison.test')).toBe(token);
    expect(replyTokenFromAddress(`case+${token}@elsewhere.example`, 'liaison.test')).toBeNull();
    expect(replyTokenFromAddress(`someone@liaison.test`, 'liaison.test')).toBeNull();
  });
});

describe('bounce addresses and message ids', () => {
  it('name the outbox message they are about', () => {
    expect(outboxIdFromBounceAddress(bounceAddress(ID, 'liaison.test'), 'liaison.test')).toBe(ID);
    expect(outboxIdFromBounceAddress(`bounce+${ID}@other.example`, 'liaison.test')).toBeNull();
    expect(outboxIdFromMessageId(`<${ID}@liaison.test>`, 'liaison.test')).toBe(ID);
    expect(outboxIdFromMessageId(`<${ID}@other.example>`, 'liaison.test')).toBeNull();
    expect(threadIdFromMessageId(threadMessageId(ID, 'liaison.test'), 'liaison.test')).toBe(ID);
    expect(threadIdFromMessageId(`<${ID}@liaison.test>`, 'liaison.test')).toBeNull();
  });
});
