import { ASPECTS, graderUsesModel, SCORE_RANGE, type GraderKind, type GraderUsage } from './kinds';
import { gradeKey, type AnswerRecord, type GradeRecord } from './records';
import { routeComparisonLines, type RouteComparison } from './route-report';
import { bootstrapInterval, mean } from './stats';
import type { EvalTask } from './tasks';
import { lengthControlledWinRate } from './length-controlled';
import { verdicts, verdictSentence, type Comparison } from './verdict';
import { juryAgreement, juryText, mergeJury, type JuryAgreement } from './jury';
import { buildChart, chartTree, svgString, type ChartModel } from './chart';

/**
 * The summary of an evaluation: what `--json` prints, what report.md / report.svg show and what the VS Code results
 * view renders. Browser-safe (no Node imports): the webview formats the same object.
 */
export interface EvalRow {
  strategy: string;
  /** Tasks with a score (a task's repeats are averaged first). */
  n: number;
  /** Mean score; null when nothing was graded (e.g. the pairwise baseline). */
  score: number | null;
  ci: [number, number] | null;
  /** Runs that failed (they score the grader's lowest value). */
  failed: number;
  /** Runs whose grade could not be made (grader failed or no baseline answer); not in the score. */
  ungraded: number;
  runs: number;
  promptTokens: number;
  completionTokens: number;
  /** Total over the runs; absent when no model in them has a price. */
  costUsd?: number;
  /** Mean per run. */
  wallMs: number;
  firstAnswerTokenMs?: number;
  /** Pairwise: mean candidate/baseline length ratio. */
  lengthRatio?: number;
  /** Pairwise: the win rate with the length difference to the baseline controlled for (see length-controlled.ts). */
  lengthControlled?: { winRate: number; ci: [number, number]; n: number };
  /** Rubric: mean per aspect. */
  aspects?: Record<string, number>;
  /** Judged strategies: how often each proposer model's answer was kept. */
  /** `meanScore`: the judge's mean score of the model's answers, when it scored them. */
  seats?: { modelId: string; answered: number; kept: number; rate: number; meanScore?: number }[];
  /** Judged strategies: share of judge decisions whose first pick was the first candidate shown. */
  firstPickRate?: { rate: number; decisions: number };
  /** Judged by a jury: how often its judges agreed and how many independent votes they were worth (see jury.ts). */
  jury?: JuryAgreement;
  /** Against the best single model (see verdict.ts); absent for that model itself. */
  vsBest?: Comparison;
  /** Against Self-MoA, when it ran. */
  vsSelf?: Comparison;
}

interface EvalCategoryRow {
  category: string;
  strategy: string;
  n: number;
  score: number | null;
  ci: [number, number] | null;
}

export interface EvalReport {
  grader: GraderKind;
  graderModel?: string;
  baseline?: string;
  scoreRange: [number, number];
  tasks: number;
  repeat: number;
  rows: EvalRow[];
  categories: EvalCategoryRow[];
  grading?: GraderUsage;
  /** Set when the run stopped before the end. */
  incomplete?: { reason: 'budget' | 'cancelled' | 'write-failed'; notRun: number };
  /** Harness time per run outside model calls (ms). */
  overheadMsPerRun?: number;
  /** With `route` among the strategies: how it did against the best fixed strategy (route-report.ts). */
  route?: RouteComparison;
}

export interface SummaryInput {
  tasks: EvalTask[];
  strategies: string[];
  grader: GraderKind;
  graderModel?: string;
  baseline?: string;
  repeat: number;
  seed: number;
  answers: readonly AnswerRecord[];
  grades: readonly GradeRecord[];
}

/** The grade an answer got under this report's grader (and grader model, and baseline). */
export function gradeFinder(grades: readonly GradeRecord[], plan: Pick<SummaryInput, 'grader' | 'graderModel' | 'baseline'>): (a: Pick<AnswerRecord, 'key'>) => GradeRecord | undefined {
  const map = new Map(grades.map((g) => [gradeKey(g), g]));
  return (a) =>
    map.get(
      gradeKey({
        key: a.key,
        grader: plan.grader,
        ...(plan.graderModel && graderUsesModel(plan.grader) ? { graderModel: plan.graderModel } : {}),
        ...(plan.grader === 'pairwise' ? { baseline: plan.baseline } : {}),
      }),
    );
}

const INCOMPLETE_REASON = { budget: '--max-usd reached', cancelled: 'interrupted', 'write-failed': 'results could not be saved' } as const;

export function summarize(input: SummaryInput): EvalReport {
  const taskIds = new Set(input.tasks.map((t) => t.id));
  const gradeOf = gradeFinder(input.grades, input);
  const answersOf = (strategy: string, tasks?: Set<string>) =>
    input.answers.filter((a) => a.strategy === strategy && taskIds.has(a.taskId) && a.repeat < input.repeat && (!tasks || tasks.has(a.taskId)));

  // `yardstick`: the pairwise baseline has no grades of its own; against itself, every answer it gave ties (0.5).
  const perTaskScores = (answers: AnswerRecord[], yardstick = false) => {
    const perTask = new Map<string, number[]>();
    for (const a of answers) {
      const score = yardstick ? (a.status === 'ok' ? 0.5 : undefined) : gradeOf(a)?.score;
      if (score === undefined) continue;
      perTask.set(a.taskId, [...(perTask.get(a.taskId) ?? []), score]);
    }
    return new Map([...perTask].map(([task, scores]) => [task, mean(scores)]));
  };
  const scoreOf = (answers: AnswerRecord[], seedSalt: number) => {
    const values = [...perTaskScores(answers).values()];
    return {
      n: values.length,
      score: values.length ? mean(values) : null,
      ci: values.length ? bootstrapInterval(values, { seed: input.seed * 7919 + seedSalt }) : null,
    };
  };

  // Per task (repeats averaged): the preference for the answer over the baseline, and how much longer it was.
  const lengthControlledOf = (answers: AnswerRecord[], seedSalt: number): EvalRow['lengthControlled'] => {
    const perTask = new Map<string, { preference: number[]; lengthDiff: number[] }>();
    for (const a of answers) {
      const g = gradeOf(a);
      if (g?.score === undefined || g.lengthDiff === undefined) continue;
      const t = perTask.get(a.taskId) ?? { preference: [], lengthDiff: [] };
      t.preference.push(g.score);
      t.lengthDiff.push(g.lengthDiff);
      perTask.set(a.taskId, t);
    }
    const data = [...perTask.values()].map((t) => ({ preference: mean(t.preference), lengthDiff: mean(t.lengthDiff) }));
    const r = lengthControlledWinRate(data, { seed: input.seed * 7919 + 3000 + seedSalt });
    return r ? { winRate: r.lcWinRate, ci: r.lcWinRateCi, n: r.n } : undefined;
  };

  const rows = input.strategies.map((strategy, index): EvalRow => {
    const answers = answersOf(strategy);
    const { n, score, ci } = scoreOf(answers, index);
    const priced = answers.filter((a) => a.totals.cost);
    const firsts = answers.filter((a) => a.totals.firstAnswerTokenMs !== undefined);
    const ratios = answers.map((a) => gradeOf(a)?.lengthRatio).filter((r): r is number => r !== undefined);
    const row: EvalRow = {
      strategy,
      n,
      score,
      ci,
      failed: answers.filter((a) => a.status === 'failed').length,
      ungraded: answers.filter((a) => {
        const g = gradeOf(a);
        return !(input.grader === 'pairwise' && strategy === input.baseline) && (g === undefined || g.score === undefined);
      }).length,
      runs: answers.length,
      promptTokens: answers.reduce((s, a) => s + a.totals.promptTokens, 0),
      completionTokens: answers.reduce((s, a) => s + a.totals.completionTokens, 0),
      ...(priced.length ? { costUsd: priced.reduce((s, a) => s + a.totals.cost!.usd, 0) } : {}),
      wallMs: answers.length ? Math.round(mean(answers.map((a) => a.totals.wallMs))) : 0,
      ...(firsts.length ? { firstAnswerTokenMs: Math.round(mean(firsts.map((a) => a.totals.firstAnswerTokenMs!))) } : {}),
      ...(ratios.length ? { lengthRatio: mean(ratios) } : {}),
    };
    if (input.grader === 'pairwise') {
      const lc = lengthControlledOf(answers, index);
      if (lc) row.lengthControlled = lc;
    }
    if (input.grader === 'rubric') {
      const details = answers.map((a) => gradeOf(a)?.detail as Record<string, { score: number }> | undefined).filter((d) => d && typeof d === 'object' && 'helpfulness' in d);
      if (details.length) row.aspects = Object.fromEntries(ASPECTS.map((asp) => [asp, mean(details.map((d) => d![asp].score))]));
    }
    const seats = new Map<string, { answered: number; kept: number; scoreSum: number; scored: number }>();
    let decisions = 0;
    let firstShown = 0;
    for (const a of answers) {
      for (const s of a.seats ?? []) {
        const seat = seats.get(s.modelId) ?? { answered: 0, kept: 0, scoreSum: 0, scored: 0 };
        seat.answered += s.answered;
        seat.kept += s.kept;
        seat.scoreSum += s.scoreSum ?? 0;
        seat.scored += s.scored ?? 0;
        seats.set(s.modelId, seat);
      }
      decisions += a.judgeFirst?.decisions ?? 0;
      firstShown += a.judgeFirst?.firstShown ?? 0;
    }
    if (seats.size) {
      row.seats = [...seats].map(([modelId, { scoreSum, scored, ...s }]) => ({
        modelId,
        ...s,
        rate: s.answered ? s.kept / s.answered : 0,
        ...(scored ? { meanScore: Math.round((scoreSum / scored) * 10) / 10 } : {}),
      }));
    }
    if (decisions) row.firstPickRate = { rate: firstShown / decisions, decisions };
    const jury = mergeJury(answers.map((a) => a.jury));
    if (jury) row.jury = juryAgreement(jury);
    return row;
  });
  const comparisons = verdicts(rows, new Map(input.strategies.map((s) => [s, perTaskScores(answersOf(s), input.grader === 'pairwise' && s === input.baseline)])), input.seed);
  for (const row of rows) Object.assign(row, comparisons.get(row.strategy) ?? {});

  const categories: EvalCategoryRow[] = [];
  const names = [...new Set(input.tasks.map((t) => t.category).filter((c): c is string => !!c))].sort();
  if (names.length > 1 || (names.length === 1 && input.tasks.some((t) => !t.category))) {
    for (const category of names) {
      const ids = new Set(input.tasks.filter((t) => t.category === category).map((t) => t.id));
      input.strategies.forEach((strategy, index) => {
        categories.push({ category, strategy, ...scoreOf(answersOf(strategy, ids), 1000 + index) });
      });
    }
  }

  return {
    grader: input.grader,
    ...(input.graderModel && graderUsesModel(input.grader) ? { graderModel: input.graderModel } : {}),
    ...(input.baseline && input.grader === 'pairwise' ? { baseline: input.baseline } : {}),
    scoreRange: SCORE_RANGE[input.grader],
    tasks: input.tasks.length,
    repeat: input.repeat,
    rows,
    categories,
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Formatting (plain text, Markdown, SVG): browser-safe

export function fmtScore(score: number | null, grader: GraderKind): string {
  if (score === null) return '-';
  return grader === 'rubric' ? score.toFixed(2) : `${(score * 100).toFixed(1)}%`;
}

export function fmtCi(ci: [number, number] | null, grader: GraderKind): string {
  if (!ci) return '-';
  return `${fmtScore(ci[0], grader)} - ${fmtScore(ci[1], grader)}`;
}

function fmtUsd(usd: number | undefined): string {
  return usd === undefined ? 'n/a' : `$${usd < 0.01 && usd > 0 ? usd.toFixed(5) : usd.toFixed(4)}`;
}

function fmtMs(ms: number | undefined): string {
  if (ms === undefined) return '-';
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`;
}

const int = (n: number) => n.toLocaleString('en-US');

export function scoreLabel(report: Pick<EvalReport, 'grader' | 'baseline'>): string {
  if (report.grader === 'exact') return 'accuracy';
  if (report.grader === 'tests') return 'pass@1 (tests run)';
  if (report.grader === 'rubric') return 'rubric score (1-5)';
  return `win rate vs ${report.baseline}`;
}

export const TABLE_HEADERS = ['strategy', 'tasks', 'score', '95% CI', 'failed', 'prompt tok', 'completion tok', 'cost', 'wall/run', 'first token'];

export function rowCells(row: EvalRow, report: EvalReport): string[] {
  const baseline = report.grader === 'pairwise' && row.strategy === report.baseline;
  return [
    row.strategy,
    String(row.n),
    baseline ? 'baseline' : fmtScore(row.score, report.grader),
    fmtCi(row.ci, report.grader),
    row.failed + (row.ungraded ? ` (+${row.ungraded} ungraded)` : ''),
    int(row.promptTokens),
    int(row.completionTokens),
    fmtUsd(row.costUsd),
    fmtMs(row.wallMs),
    fmtMs(row.firstAnswerTokenMs),
  ];
}

function textTable(headers: string[], rows: string[][]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  return [line(headers), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

function extrasLines(report: EvalReport): string[] {
  const lines: string[] = [];
  for (const row of report.rows) {
    const parts: string[] = [];
    if (row.lengthControlled) parts.push(`length-controlled win rate ${fmtScore(row.lengthControlled.winRate, 'pairwise')} (95% CI ${fmtCi(row.lengthControlled.ci, 'pairwise')})`);
    if (row.lengthRatio !== undefined) parts.push(`length vs baseline ${row.lengthRatio.toFixed(2)}x`);
    if (row.aspects) parts.push(Object.entries(row.aspects).map(([a, v]) => `${a} ${v.toFixed(2)}`).join(', '));
    if (row.seats) parts.push(`kept: ${row.seats.map(seatText).join(', ')}`);
    if (row.firstPickRate) parts.push(`judge picked the first-shown answer ${Math.round(row.firstPickRate.rate * 100)}% of ${row.firstPickRate.decisions} decisions`);
    if (row.jury) parts.push(juryText(row.jury));
    if (parts.length) lines.push(`${row.strategy}: ${parts.join('; ')}`);
  }
  return lines;
}

/** Who won, one sentence per comparison: against the best single model first, then against Self-MoA. */
export function verdictLines(report: Pick<EvalReport, 'rows' | 'grader'>): string[] {
  const best = report.rows.flatMap((r) => (r.vsBest ? [verdictSentence(r.strategy, r.vsBest, report.grader)] : []));
  const self = report.rows.flatMap((r) => (r.vsSelf ? [verdictSentence(r.strategy, r.vsSelf, report.grader)] : []));
  return [...best, ...self];
}

export function renderText(report: EvalReport): string {
  const out = [`${scoreLabel(report)}, ${report.tasks} tasks${report.repeat > 1 ? ` x ${report.repeat} repeats` : ''}${report.graderModel ? `, graded by ${report.graderModel}` : ''}`];
  const verdict = verdictLines(report);
  if (verdict.length) out.push(...verdict, '');
  out.push(textTable(TABLE_HEADERS, report.rows.map((r) => rowCells(r, report))));
  if (report.categories.length) {
    out.push('', 'per category:');
    out.push(textTable(['category', 'strategy', 'tasks', 'score', '95% CI'], report.categories.map((c) => [c.category, c.strategy, String(c.n), fmtScore(c.score, report.grader), fmtCi(c.ci, report.grader)])));
  }
  const extras = extrasLines(report);
  if (extras.length) out.push('', ...extras);
  if (report.route) out.push('', ...routeComparisonLines(report.route, report.grader));
  if (report.grading?.calls) out.push('', `grading: ${report.grading.calls} calls, ${int(report.grading.promptTokens + report.grading.completionTokens)} tokens, ${fmtUsd(report.grading.costUsd)}`);
  if (report.incomplete) out.push('', `incomplete: ${report.incomplete.notRun} run(s) not done (${INCOMPLETE_REASON[report.incomplete.reason]})`);
  return out.join('\n');
}

function mdEscape(text: string): string {
  return text.replace(/[|\\`*_<>[\]]/g, (c) => `\\${c}`);
}

export function renderMarkdown(report: EvalReport, svgFile = 'report.svg'): string {
  const mdTable = (headers: string[], rows: string[][]) =>
    [`| ${headers.join(' | ')} |`, `|${headers.map((_, i) => (i === 0 ? ' --- ' : ' ---: ')).join('|')}|`, ...rows.map((r) => `| ${r.map(mdEscape).join(' | ')} |`)].join('\n');
  const out = [
    '# SMoA evaluation',
    '',
    `${report.tasks} tasks${report.repeat > 1 ? ` x ${report.repeat} repeats` : ''}; score: ${scoreLabel(report)}${report.graderModel ? `, graded by \`${report.graderModel}\`` : ''}. ` +
      'Intervals are 95% bootstrap intervals over tasks. Tokens and cost are totals; wall time and first token are means per run.',
    '',
    ...verdictLines(report).flatMap((line) => [`- ${mdEscape(line)}`]),
    ...(verdictLines(report).length ? [''] : []),
    mdTable(TABLE_HEADERS, report.rows.map((r) => rowCells(r, report))),
    '',
    `![score against cost](${svgFile})`,
  ];
  if (report.categories.length) {
    out.push('', '## Per category', '', mdTable(['category', 'strategy', 'tasks', 'score', '95% CI'], report.categories.map((c) => [c.category, c.strategy, String(c.n), fmtScore(c.score, report.grader), fmtCi(c.ci, report.grader)])));
  }
  const extras = extrasLines(report);
  if (report.route) out.push('', '## Route', '', ...routeComparisonLines(report.route, report.grader).map((l) => mdEscape(l.trim())));
  if (extras.length) out.push('', '## Judged strategies and graders', '', ...extras.map((l) => `- ${mdEscape(l)}`));
  if (report.incomplete) out.push('', `**Incomplete:** ${report.incomplete.notRun} run(s) not done (${INCOMPLETE_REASON[report.incomplete.reason]}).`);
  return out.join('\n') + '\n';
}

/** The chart's x axis: cost per run when every strategy that ran has a cost, else tokens (an unpriced row is not free). */
export function chartAxis(report: Pick<EvalReport, 'rows'>): 'cost' | 'tokens' {
  const ran = report.rows.filter((r) => r.runs > 0);
  return ran.length > 0 && ran.every((r) => r.costUsd !== undefined) ? 'cost' : 'tokens';
}

/** Score (y, with its interval) against cost per run (x), or tokens per run when prices are unknown. */
export function chartPoints(report: EvalReport): { strategy: string; x: number; y: number; lo: number; hi: number }[] {
  const useCost = chartAxis(report) === 'cost';
  // The pairwise baseline has no grade of its own; against itself it ties, so it is drawn at 50% (a strategy baseline
  // ran and has a cost; the reference outputs did not run and are not drawn).
  const scoreOf = (r: EvalRow) => r.score ?? (report.grader === 'pairwise' && r.strategy === report.baseline ? 0.5 : null);
  return report.rows
    .filter((r) => scoreOf(r) !== null && r.runs > 0)
    .map((r) => ({
      strategy: r.strategy,
      x: useCost ? (r.costUsd ?? 0) / r.runs : (r.promptTokens + r.completionTokens) / r.runs,
      y: scoreOf(r)!,
      lo: r.ci?.[0] ?? scoreOf(r)!,
      hi: r.ci?.[1] ?? scoreOf(r)!,
    }));
}

/** The chart model of a report: score against cost (or tokens) per run, shared by report.svg and the results view. */
export function reportChart(report: EvalReport): ChartModel {
  const axis = chartAxis(report);
  return buildChart({ grader: report.grader, scoreRange: report.scoreRange, axis, title: `${scoreLabel(report)} against ${axis} per run`, points: chartPoints(report) });
}

/** A point's tooltip: its score and interval. */
export function pointTooltip(report: Pick<EvalReport, 'grader'>, p: { strategy: string; y: number; lo: number; hi: number }): string {
  return `${p.strategy}: ${fmtScore(p.y, report.grader)} (95% CI ${fmtScore(p.lo, report.grader)} - ${fmtScore(p.hi, report.grader)})`;
}

export function renderSvg(report: EvalReport): string {
  return svgString(chartTree(reportChart(report), (p) => pointTooltip(report, p))) + '\n';
}

/** One model's seat: how often its answers were kept, and the judge's mean score of them when it scored. */
export function seatText(s: { modelId: string; kept: number; answered: number; rate: number; meanScore?: number }): string {
  return `${s.modelId} ${Math.round(s.rate * 100)}% (${s.kept}/${s.answered}${s.meanScore !== undefined ? `, mean score ${s.meanScore}` : ''})`;
}
