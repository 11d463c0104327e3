/**
 * Okapi BM25 over short task texts, for finding the evaluated tasks most like a prompt without any model call.
 * Numbers become a shared `#num` term as well as themselves, and operators are terms, so "What is 17 + 5?" and
 * "What is 3 * 9?" look alike (arithmetic) even though they share no word that is not a stop word.
 */

const STOP_WORDS = new Set(
  'a an and are as at be but by can could do does for from how i if in into is it its me my of on or our please so than that the their them then there these this to was we were what when where which who why will with would you your'.split(
    ' ',
  ),
);

export function terms(text: string): string[] {
  const out: string[] = [];
  for (const match of text.toLowerCase().matchAll(/[a-z_][a-z0-9_]*|\d+(?:\.\d+)?|[+\-*/^%=<>]/g)) {
    const term = match[0];
    if (/^\d/.test(term)) {
      out.push('#num', term);
    } else if (/^[a-z_]/.test(term)) {
      if (term.length > 1 && !STOP_WORDS.has(term)) out.push(term);
    } else {
      out.push(term);
    }
  }
  return out;
}

export interface Bm25Hit {
  index: number;
  /** BM25 score divided by the most this query could score (every term saturated): 0 to below 1. */
  similarity: number;
}

/** BM25 parameters as commonly used (Robertson and Zaragoza): term saturation k1, length normalisation b. */
const K1 = 1.2;
const B = 0.75;

export class Bm25Index {
  private readonly docs: Map<string, number>[];
  private readonly lengths: number[];
  private readonly avgLength: number;
  private readonly df = new Map<string, number>();

  constructor(documents: readonly string[][]) {
    this.docs = documents.map((doc) => {
      const tf = new Map<string, number>();
      for (const t of doc) tf.set(t, (tf.get(t) ?? 0) + 1);
      for (const t of tf.keys()) this.df.set(t, (this.df.get(t) ?? 0) + 1);
      return tf;
    });
    this.lengths = documents.map((d) => d.length);
    this.avgLength = this.lengths.reduce((s, n) => s + n, 0) / Math.max(1, documents.length) || 1;
  }

  get size(): number {
    return this.docs.length;
  }

  /** Probabilistic IDF, floored so a term in most documents still counts a little (never negatively). */
  private idf(term: string): number {
    const n = this.df.get(term) ?? 0;
    if (n === 0) return 0;
    return Math.max(0.01, Math.log(1 + (this.docs.length - n + 0.5) / (n + 0.5)));
  }

  /** The `limit` documents most like the query, best first; documents sharing no term are left out. */
  search(query: readonly string[], limit: number): Bm25Hit[] {
    const unique = [...new Set(query)];
    // The most a document could score on this query: every term saturated. A word the index has never seen counts
    // with the IDF of a word found once, so a prompt made mostly of unknown words stays unlike everything. Optional
    // features (a number's exact value, `cat:` category terms the index lacks) only add when they match.
    const rare = Math.log(1 + (this.docs.length - 1 + 0.5) / 1.5);
    const ceiling = unique.reduce((s, t) => {
      if (this.df.has(t)) return /^\d/.test(t) ? s : s + this.idf(t) * (K1 + 1);
      return /^\d|^cat:/.test(t) ? s : s + rare * (K1 + 1);
    }, 0);
    if (ceiling === 0) return [];
    const hits: Bm25Hit[] = [];
    this.docs.forEach((tf, index) => {
      let score = 0;
      const norm = K1 * (1 - B + (B * this.lengths[index]) / this.avgLength);
      for (const t of unique) {
        const f = tf.get(t);
        if (!f) continue;
        score += (this.idf(t) * f * (K1 + 1)) / (f + norm);
      }
      if (score > 0) hits.push({ index, similarity: Math.min(1, score / ceiling) });
    });
    return hits.sort((a, b) => b.similarity - a.similarity || a.index - b.index).slice(0, limit);
  }
}
