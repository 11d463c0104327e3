/**
 * The evaluation results view: the table per strategy, the score-against-cost chart, per-category rows, and every
 * task with each strategy's answer, grade and a link to its trace. Answers are model output: rendered as Markdown by the
 * trace panel's renderer and sanitizer; grader reasons stay text.
 */
import { chartTree, type SvgNode } from '../../../eval/chart';
import { juryText } from '../../../eval/jury';
import { fmtCi, fmtScore, pointTooltip, reportChart, rowCells, scoreLabel, seatText, TABLE_HEADERS, verdictLines, type EvalReport } from '../../../eval/report';
import { parseEvalHostMessage, type EvalAnswerView, type EvalHostMessage, type EvalUnit, type EvalWebviewMessage } from '../../eval-protocol';
import { h } from '../dom';
import { setMarkdown } from '../markdown';

interface Api {
  postMessage(message: EvalWebviewMessage): void;
}
declare function acquireVsCodeApi(): Api;

const api = acquireVsCodeApi();
const app = document.getElementById('app')!;
const post = (m: EvalWebviewMessage) => api.postMessage(m);

let current: Extract<EvalHostMessage, { type: 'results' }> | undefined;
let selectedTask: string | undefined;

window.addEventListener('message', (event: MessageEvent) => {
  const parsed = parseEvalHostMessage(event.data);
  if (!parsed.ok) {
    showBanner('error', `Ignored an invalid message from the extension: ${parsed.error}`);
    return;
  }
  const message = parsed.message;
  switch (message.type) {
    case 'results':
      current = message;
      selectedTask = undefined;
      render();
      return;
    case 'task':
      renderTask(message);
      return;
    case 'notice':
      showBanner('notice', message.message);
      return;
    case 'error':
      showBanner('error', message.message);
      return;
  }
});

post({ type: 'ready' });

function showBanner(kind: 'notice' | 'error', text: string): void {
  const banner = document.querySelector<HTMLElement>('[data-testid="eval-banner"]') ?? app.insertBefore(h('div', { testid: 'eval-banner' }), app.firstChild);
  banner.className = `banner ${kind}`;
  banner.textContent = text;
}

function render(): void {
  if (!current) return;
  const { report } = current;
  app.replaceChildren();
  const save = h('button', { testid: 'eval-save', text: 'Save results…' });
  save.addEventListener('click', () => post({ type: 'save' }));
  const open = h('button', { testid: 'eval-open', text: 'Open results…', class: 'secondary' });
  open.addEventListener('click', () => post({ type: 'open' }));
  app.append(
    h(
      'header',
      { class: 'eval-header' },
      h('h1', { text: current.title, testid: 'eval-title' }),
      h('div', { class: 'actions' }, save, open),
    ),
    h('p', {
      class: 'muted',
      testid: 'eval-summary',
      text:
        `${report.tasks} tasks${report.repeat > 1 ? ` × ${report.repeat} repeats` : ''}; score: ${scoreLabel(report)}` +
        `${report.graderModel ? `, graded by ${report.graderModel}` : ''}. Intervals are 95% bootstrap intervals over tasks; ` +
        'tokens and cost are totals, times are means per run.' +
        (current.location ? ` Stored in ${current.location}.` : ''),
    }),
  );
  const verdict = verdictLines(report);
  if (verdict.length) {
    app.append(h('ul', { class: 'verdict', testid: 'eval-verdict' }, ...verdict.map((line) => h('li', { text: line, testid: 'eval-verdict-line' }))));
  }
  if (report.incomplete) {
    app.append(
      h('p', {
        class: 'banner error',
        testid: 'eval-incomplete',
        text: `Incomplete: ${report.incomplete.notRun} run(s) not done (${report.incomplete.reason === 'budget' ? 'the spending cap was reached' : report.incomplete.reason === 'write-failed' ? 'the results could not be saved' : 'cancelled'}).`,
      }),
    );
  }
  app.append(table(TABLE_HEADERS, report.rows.map((r) => ({ cells: rowCells(r, report), testid: 'eval-row', data: { strategy: r.strategy } }))));
  app.append(chart(report));
  if (report.categories.length) {
    app.append(h('h2', { text: 'Per category' }));
    app.append(
      table(
        ['category', 'strategy', 'tasks', 'score', '95% CI'],
        report.categories.map((c) => ({ cells: [c.category, c.strategy, String(c.n), fmtScore(c.score, report.grader), fmtCi(c.ci, report.grader)], testid: 'eval-category-row' })),
      ),
    );
  }
  const extras = report.rows.filter((r) => r.seats || r.firstPickRate || r.jury || r.aspects || r.lengthRatio !== undefined || r.lengthControlled);
  if (extras.length) {
    app.append(h('h2', { text: 'Judges, seats and graders' }));
    const list = h('ul', { testid: 'eval-extras' });
    for (const r of extras) {
      const parts: string[] = [];
      if (r.seats) parts.push(`answers kept: ${r.seats.map(seatText).join(', ')}`);
      if (r.firstPickRate) parts.push(`the judge picked the first-shown answer in ${Math.round(r.firstPickRate.rate * 100)}% of ${r.firstPickRate.decisions} decisions`);
      if (r.jury) parts.push(juryText(r.jury));
      if (r.aspects) parts.push(Object.entries(r.aspects).map(([a, v]) => `${a} ${v.toFixed(2)}`).join(', '));
      if (r.lengthControlled) parts.push(`length-controlled win rate ${fmtScore(r.lengthControlled.winRate, 'pairwise')} (95% CI ${fmtCi(r.lengthControlled.ci, 'pairwise')})`);
      if (r.lengthRatio !== undefined) parts.push(`length vs baseline ${r.lengthRatio.toFixed(2)}×`);
      list.append(h('li', {}, h('strong', { text: r.strategy }), `: ${parts.join('; ')}`));
    }
    app.append(list);
  }
  app.append(h('h2', { text: 'Tasks' }), h('p', { class: 'muted', text: 'Select a task to see every strategy’s answer, its grade and its trace.' }), taskTable(report, current.tasks, current.units));
  app.append(h('section', { testid: 'eval-task-detail', class: 'task-detail' }));
}

function table(headers: string[], rows: { cells: string[]; testid?: string; data?: Record<string, string> }[]): HTMLTableElement {
  const head = h('tr', {}, ...headers.map((t) => h('th', { text: t })));
  const body = rows.map((r) => {
    const tr = h('tr', { ...(r.testid ? { testid: r.testid } : {}) }, ...r.cells.map((c, i) => h('td', { text: c, class: i === 0 ? '' : 'num' })));
    for (const [k, v] of Object.entries(r.data ?? {})) tr.dataset[k] = v;
    return tr;
  });
  return h('table', { class: 'eval-table' }, h('thead', {}, head), h('tbody', {}, ...body));
}

const SVG = 'http://www.w3.org/2000/svg';
/** DOM for the chart's element tree (the same tree report.svg serializes). */
function svgDom(node: SvgNode): SVGElement {
  const el = document.createElementNS(SVG, node.tag) as SVGElement;
  for (const [k, v] of Object.entries(node.attrs)) if (k !== 'xmlns' && k !== 'width' && k !== 'height') el.setAttribute(k, String(v));
  if (node.text !== undefined) el.textContent = node.text;
  for (const child of node.children ?? []) el.append(svgDom(child));
  return el;
}

/** Score (with its interval) against cost per run, or tokens per run when no model has a price. */
function chart(report: EvalReport): SVGElement {
  return svgDom(chartTree(reportChart(report), (p) => pointTooltip(report, p)));
}

function taskTable(report: EvalReport, tasks: { id: string; prompt: string; category?: string }[], units: EvalUnit[]): HTMLTableElement {
  const strategies = report.rows.map((r) => r.strategy);
  const head = h('tr', {}, h('th', { text: 'task' }), h('th', { text: 'category' }), ...strategies.map((s) => h('th', { text: s })));
  const rows = tasks.map((task) => {
    const cells = strategies.map((s) => {
      const mine = units.filter((u) => u.taskId === task.id && u.strategy === s);
      if (!mine.length) return h('td', { class: 'num muted', text: '-' });
      const failed = mine.some((u) => u.status === 'failed');
      const scores = mine.map((u) => u.score).filter((v): v is number => typeof v === 'number');
      const text = scores.length ? fmtScore(scores.reduce((a, b) => a + b, 0) / scores.length, report.grader) : report.grader === 'pairwise' && s === report.baseline ? 'baseline' : 'n/a';
      return h('td', { class: `num${failed ? ' failed' : ''}`, text: failed ? `${text} (failed)` : text });
    });
    const tr = h('tr', { testid: 'eval-task', class: 'clickable', title: task.prompt }, h('td', { text: task.id }), h('td', { text: task.category ?? '' }), ...cells);
    tr.dataset.task = task.id;
    tr.tabIndex = 0;
    const select = () => {
      selectedTask = task.id;
      post({ type: 'showTask', taskId: task.id });
    };
    tr.addEventListener('click', select);
    tr.addEventListener('keydown', (e) => {
      if (e.key === 'Enter' || e.key === ' ') select();
    });
    return tr;
  });
  return h('table', { class: 'eval-table tasks' }, h('thead', {}, head), h('tbody', {}, ...rows));
}

function renderTask(message: Extract<EvalHostMessage, { type: 'task' }>): void {
  const section = document.querySelector<HTMLElement>('[data-testid="eval-task-detail"]');
  if (!section || !current || message.taskId !== selectedTask) return;
  const task = current.tasks.find((t) => t.id === message.taskId);
  section.replaceChildren(
    h('h2', { text: `Task ${message.taskId}` }),
    h('pre', { class: 'prompt', testid: 'eval-task-prompt', text: task?.prompt ?? '' }),
    ...(message.reference !== undefined ? [h('p', { class: 'muted', text: `Reference: ${message.reference}` })] : []),
    ...message.answers.map((a) => answerCard(a, current!.report)),
  );
  section.scrollIntoView({ block: 'start' });
}

/** A model's answer as Markdown, through the trace panel's renderer and sanitizer (markup in it stays text). */
function answerBody(answer: string): HTMLElement {
  const body = h('div', { class: 'answer md', testid: 'eval-answer-body' });
  if (answer) setMarkdown(body, answer);
  else body.append(h('p', { class: 'muted', text: '(no answer)' }));
  return body;
}

function answerCard(a: EvalAnswerView, report: EvalReport): HTMLElement {
  const score = typeof a.score === 'number' ? fmtScore(a.score, report.grader) : report.grader === 'pairwise' && a.strategy === report.baseline ? 'baseline' : 'not graded';
  const trace = h('button', { class: 'secondary', testid: 'eval-open-trace', text: 'Open trace' });
  trace.addEventListener('click', () => post({ type: 'openTrace', key: a.key }));
  const card = h(
    'article',
    { class: `answer-card ${a.status}`, testid: 'eval-answer' },
    h('header', {}, h('strong', { text: `${a.strategy}${report.repeat > 1 ? ` #${a.repeat + 1}` : ''}` }), h('span', { class: 'score', text: score }), trace),
    ...(a.error ? [h('p', { class: 'error', text: a.error })] : []),
    answerBody(a.answer),
    ...(a.grade ? [h('pre', { class: 'grade muted', testid: 'eval-grade', text: a.grade })] : []),
  );
  card.dataset.strategy = a.strategy;
  return card;
}

