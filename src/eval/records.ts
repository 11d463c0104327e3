import type { RunStatus, RunTotals } from '../pipeline/events';
import type { Trace } from '../pipeline/trace';
import type { GraderKind } from './kinds';
import type { JuryRecord } from './jury';

/** One strategy's answer to one task (one repeat): what the results files keep, and what a resumed run reuses. */
export interface AnswerRecord {
  /** `${taskId}\u0000${strategy}\u0000${repeat}` */
  key: string;
  taskId: string;
  strategy: string;
  repeat: number;
  /**
   * Hash of what was asked (the prompt; for a later turn, the conversation before it with the strategy's own answers):
   * an edited task is asked again, not matched to an old answer.
   */
  promptHash: string;
  status: Exclude<RunStatus, 'cancelled'>;
  answer: string;
  answerSource?: string;
  error?: string;
  totals: RunTotals;
  /** Per proposer model: answers given, kept, and (when the judge scored) the sum and count of their scores. */
  seats?: { modelId: string; answered: number; kept: number; scoreSum?: number; scored?: number }[];
  /** `route` runs: the plan the router chose, and whether it fell back. */
  routed?: { chosen: string; fallback: boolean };
  /** Judge calls that chose among shuffled candidates, and how often their first pick was the first shown. */
  judgeFirst?: { decisions: number; firstShown: number };
  /** Judged by a jury: per pair of judges, how often they agreed and their score sums (see jury.ts). */
  jury?: JuryRecord;
}

export interface GradeRecord {
  key: string;
  grader: GraderKind;
  graderModel?: string;
  baseline?: string;
  /** Missing when the grade could not be made (grader failed, no baseline answer); `error` says why. */
  score?: number;
  error?: string;
  detail?: unknown;
  /** Pairwise: candidate length / baseline length. */
  lengthRatio?: number;
  /** Pairwise: candidate length minus baseline length, in characters (the length-controlled win rate's covariate). */
  lengthDiff?: number;
  /** Hash of the task as graded (prompt, turns, references, tests): a grade of an edited task is made again. */
  taskHash?: string;
}

export function unitKey(taskId: string, strategy: string, repeat: number): string {
  return `${taskId}\u0000${strategy}\u0000${repeat}`;
}

export function gradeKey(g: Pick<GradeRecord, 'key' | 'grader' | 'graderModel' | 'baseline'>): string {
  return [g.key, g.grader, g.graderModel ?? '', g.baseline ?? ''].join('\u0000');
}

/** FNV-1a, enough to notice an edited prompt. */
export function hashText(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0).toString(16).padStart(8, '0');
}

/** Where results go as they finish, and where a resumed run finds them. */
export interface ResultStore {
  answers(): AnswerRecord[];
  grades(): GradeRecord[];
  addAnswer(record: AnswerRecord, trace: Trace): void;
  addGrade(record: GradeRecord): void;
  trace?(key: string): Trace | undefined;
}

export class MemoryStore implements ResultStore {
  private readonly a: AnswerRecord[] = [];
  private readonly g: GradeRecord[] = [];
  private readonly traces = new Map<string, Trace>();
  answers() {
    return this.a;
  }
  grades() {
    return this.g;
  }
  addAnswer(record: AnswerRecord, trace: Trace) {
    this.a.push(record);
    this.traces.set(record.key, trace);
  }
  addGrade(record: GradeRecord) {
    this.g.push(record);
  }
  trace(key: string) {
    return this.traces.get(key);
  }
}
