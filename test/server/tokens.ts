/**
 * The fake server's notion of a "token": a word or a run of punctuation, together with the whitespace
 * before it. Splitting this way is lossless (the pieces concatenate back to the input), so a client that
 * reassembles a stream must get back exactly the text the responder chose, and usage numbers are
 * deterministic across runs.
 */
const PIECE = /\s*(?:[\p{L}\p{N}\p{M}_]+|[^\p{L}\p{N}\p{M}_\s]+)|\s+$/gu;

export function splitTokens(text: string): string[] {
  return text.match(PIECE) ?? [];
}

export function countTokens(text: string): number {
  return splitTokens(text).length;
}
