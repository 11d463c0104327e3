/** Grader names, score ranges and rubric aspects: browser-safe, so the results view shares them without the graders. */
export const GRADERS = ['exact', 'rubric', 'pairwise', 'tests'] as const;
export type GraderKind = (typeof GRADERS)[number];

/** Score range per grader: exact 0-1 (correct or not), rubric 1-5 (mean of six aspects), pairwise 0-1 (win rate), tests 0-1 (pass@1). */
export const SCORE_RANGE: Record<GraderKind, [number, number]> = { exact: [0, 1], rubric: [1, 5], pairwise: [0, 1], tests: [0, 1] };

/** The graders that ask a model (the others compare with a reference or run the code). */
export function graderUsesModel(grader: GraderKind): boolean {
  return grader === 'rubric' || grader === 'pairwise';
}

/** Just-Eval's six aspects (Lin et al. 2023), scored 1-5. */
export const ASPECTS = ['helpfulness', 'clarity', 'factuality', 'depth', 'engagement', 'safety'] as const;
export type Aspect = (typeof ASPECTS)[number];

export interface GraderUsage {
  calls: number;
  promptTokens: number;
  completionTokens: number;
  costUsd?: number;
}

/**
 * The pairwise grader's baseline when it is not a strategy but each task's own reference answer (AlpacaEval's
 * `output`): the win rate against it is AlpacaEval's metric.
 */
export const REFERENCE_BASELINE = 'reference';
