import type { AnswerRecord, GradeRecord } from '../eval/records';
import { gradeFinder, type EvalReport } from '../eval/report';
import type { EvalTask } from '../eval/tasks';
import type { Trace } from '../pipeline/trace';
import { parseEvalWebviewMessage, type EvalAnswerView, type EvalHostMessage, type EvalWebviewMessage } from './eval-protocol';

/** An evaluation's results, from a run just finished or a saved results folder. */
export interface EvalResults {
  title: string;
  report: EvalReport;
  tasks: Pick<EvalTask, 'id' | 'prompt' | 'category' | 'reference'>[];
  answers: AnswerRecord[];
  grades: GradeRecord[];
  trace(key: string): Trace | undefined;
  /** The folder the results live in, when they are on disk. */
  location?: string;
}

/** What the session needs from VS Code (the panel implements it; tests pass a recorder). */
export interface EvalPort {
  post(message: EvalHostMessage): void;
  showTrace(trace: Trace, name: string): void;
  /** Copies the results somewhere the user picks; returns where, or undefined when cancelled. */
  save(results: EvalResults): Promise<string | undefined>;
  /** Lets the user pick a saved results folder; undefined when cancelled. */
  open(): Promise<EvalResults | undefined>;
  warn(message: string): void;
}

/** The host side of the results view: answers the webview's messages. No vscode import, so it is unit-tested in Node. */
export class EvalSession {
  private ready = false;

  constructor(
    private results: EvalResults,
    private readonly port: EvalPort,
  ) {}

  show(results: EvalResults): void {
    this.results = results;
    if (this.ready) this.postResults();
  }

  async receive(raw: unknown): Promise<void> {
    const parsed = parseEvalWebviewMessage(raw);
    if (!parsed.ok) {
      this.port.warn(`evaluation view: ignored an invalid message: ${parsed.error}`);
      return;
    }
    try {
      await this.handle(parsed.message);
    } catch (err) {
      this.port.post({ type: 'error', message: err instanceof Error ? err.message : String(err) });
    }
  }

  private async handle(message: EvalWebviewMessage): Promise<void> {
    switch (message.type) {
      case 'ready':
        this.ready = true;
        this.postResults();
        return;
      case 'showTask':
        this.postTask(message.taskId);
        return;
      case 'openTrace': {
        const answer = this.results.answers.find((a) => a.key === message.key);
        const trace = answer && this.results.trace(message.key);
        if (!answer || !trace) {
          this.port.post({ type: 'error', message: 'That run has no stored trace.' });
          return;
        }
        this.port.showTrace(trace, `${answer.strategy} on ${answer.taskId}${this.results.report.repeat > 1 ? ` #${answer.repeat + 1}` : ''}`);
        return;
      }
      case 'save': {
        const where = await this.port.save(this.results);
        if (where) this.port.post({ type: 'notice', message: `Results saved to ${where}.` });
        return;
      }
      case 'open': {
        const opened = await this.port.open();
        if (opened) this.show(opened);
        return;
      }
    }
  }

  private postResults(): void {
    const { report } = this.results;
    const gradeOf = gradeFinder(this.results.grades, report);
    const strategies = new Set(report.rows.map((r) => r.strategy));
    this.port.post({
      type: 'results',
      title: this.results.title,
      report,
      tasks: this.results.tasks.map((t) => ({ id: t.id, prompt: t.prompt, ...(t.category ? { category: t.category } : {}) })),
      units: this.results.answers
        .filter((a) => strategies.has(a.strategy) && a.repeat < report.repeat)
        .map((a) => ({ key: a.key, taskId: a.taskId, strategy: a.strategy, repeat: a.repeat, status: a.status, score: gradeOf(a)?.score ?? null })),
      ...(this.results.location ? { location: this.results.location } : {}),
    });
  }

  private postTask(taskId: string): void {
    const { report } = this.results;
    const task = this.results.tasks.find((t) => t.id === taskId);
    if (!task) {
      this.port.post({ type: 'error', message: `No task "${taskId}" in these results.` });
      return;
    }
    const gradeOf = gradeFinder(this.results.grades, report);
    const order = report.rows.map((r) => r.strategy);
    const answers: EvalAnswerView[] = this.results.answers
      .filter((a) => a.taskId === taskId && order.includes(a.strategy) && a.repeat < report.repeat)
      .sort((a, b) => order.indexOf(a.strategy) - order.indexOf(b.strategy) || a.repeat - b.repeat)
      .map((a) => {
        const grade = gradeOf(a);
        return {
          key: a.key,
          strategy: a.strategy,
          repeat: a.repeat,
          status: a.status,
          answer: a.answer,
          ...(a.error ? { error: a.error } : {}),
          score: grade?.score ?? null,
          ...(grade ? { grade: describeGrade(grade) } : {}),
          hasTrace: true,
        };
      });
    this.port.post({ type: 'task', taskId, ...(task.reference !== undefined ? { reference: task.reference } : {}), answers });
  }
}

/** A grade's details as text for the view: the exact comparison, the rubric's reasons, the pairwise verdicts. */
function describeGrade(grade: GradeRecord): string {
  if (grade.error) return `not graded: ${grade.error}`;
  const d = grade.detail;
  if (typeof d === 'string') return d;
  if (grade.grader === 'rubric' && d && typeof d === 'object') {
    return Object.entries(d as Record<string, { score?: number; reason?: string }>)
      .map(([aspect, v]) => `${aspect} ${v?.score ?? '?'}: ${v?.reason ?? ''}`)
      .join('\n');
  }
  if (grade.grader === 'pairwise' && d && typeof d === 'object') {
    const { orders, reasons } = d as { orders?: { candidateFirst: string; baselineFirst: string }; reasons?: string[] };
    const lines = [`shown first: ${orders?.candidateFirst ?? '?'}; shown second: ${orders?.baselineFirst ?? '?'}`];
    if (reasons) lines.push(...reasons.map((r, i) => `${i === 0 ? 'first order' : 'second order'}: ${r}`));
    if (grade.lengthRatio !== undefined) lines.push(`length vs baseline: ${grade.lengthRatio.toFixed(2)}x`);
    return lines.join('\n');
  }
  return '';
}
