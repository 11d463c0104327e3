import type { ChatMessage, TokenUsage } from './client';

/**
 * The project's one token rule: how many tokens a text may take when nobody has counted it for us. The estimate, the
 * budget's reservations and the usage of calls whose endpoint reported none (or that were cut before it could) all
 * count with it, so they agree with each other and err on the high side.
 *
 * At most one token per two UTF-8 bytes (two characters of ASCII), plus 4 tokens of chat format per message and 3 per
 * reply. Tokenizers average about four characters a token for English and three for code; only strings built of single
 * punctuation marks or digits come near one byte a token, so the bound holds for prose, code and data, not for
 * adversarial strings.
 */

/** Bytes per token the bound assumes (see above). */
export const BYTES_PER_TOKEN_BOUND = 2;
/** Chat-format tokens per message and per reply, as OpenAI's counting guidance gives them. */
const TOKENS_PER_MESSAGE = 4;
const TOKENS_PER_REPLY = 3;

/**
 * An answer a later stage reads is counted as at most this many tokens per completion token its call was capped at
 * (six bytes a token; prose and code stay well under it). The one place a model is called clips a longer text (very
 * long words) where later stages read it, so the estimate's bound holds by construction.
 */
export const READ_BACK_TOKENS = 3;

/** Upper bound of the tokens a text takes, under the rule above. */
export function tokenBound(text: string): number {
  return Math.ceil(utf8Bytes(text) / BYTES_PER_TOKEN_BOUND);
}

export function promptBound(messages: readonly ChatMessage[]): number {
  return messages.reduce((sum, m) => sum + tokenBound(m.content) + tokenBound(toolCallText(m)) + TOKENS_PER_MESSAGE, TOKENS_PER_REPLY);
}

/** The usage of a call nobody reported usage for: its prompt and what it streamed, counted with the rule. */
export function ruleUsage(messages: readonly ChatMessage[], completion: string, maxTokens?: number): TokenUsage {
  // A provider bills at most the max tokens it was sent, however long the words it streamed.
  const completionTokens = Math.min(tokenBound(completion), maxTokens ?? Infinity);
  return { promptTokens: promptBound(messages), completionTokens, estimated: true };
}

export function addUsage(a: TokenUsage | undefined, b: TokenUsage | undefined): TokenUsage | undefined {
  if (!a) return b;
  if (!b) return a;
  return { promptTokens: a.promptTokens + b.promptTokens, completionTokens: a.completionTokens + b.completionTokens, estimated: a.estimated || b.estimated };
}

function toolCallText(m: ChatMessage): string {
  return m.toolCalls?.length ? JSON.stringify(m.toolCalls.map((c) => [c.name, c.input])) : '';
}

function utf8Bytes(text: string): number {
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) bytes += 1;
    else if (c < 0x800) bytes += 2;
    else if (c >= 0xd800 && c <= 0xdbff) {
      bytes += 4; // a surrogate pair: one astral character
      i++;
    } else bytes += 3;
  }
  return bytes;
}

/**
 * The text cut so that it takes at most `tokens` tokens under the rule, with a note of how much was left out (the
 * note fits in the room the estimate leaves per answer).
 */
export function clipToTokens(text: string, tokens: number): string {
  if (tokenBound(text) <= tokens) return text;
  const maxBytes = tokens * BYTES_PER_TOKEN_BOUND;
  let bytes = 0;
  let end = 0;
  while (end < text.length) {
    const step = text.charCodeAt(end) >= 0xd800 && text.charCodeAt(end) <= 0xdbff ? 2 : 1;
    const size = utf8Bytes(text.slice(end, end + step));
    if (bytes + size > maxBytes) break;
    bytes += size;
    end += step;
  }
  return `${text.slice(0, end)}\n[... ${text.length - end} more characters]`;
}
