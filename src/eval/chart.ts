import type { GraderKind } from './kinds';

/**
 * The score-against-cost chart as a model: axes with "nice" ticks, one marker, interval and label per strategy, the
 * labels placed so that none overlaps another label or a marker. report.svg (a string) and the results view (DOM) both
 * draw this one model through `chartTree`. Browser-safe: no Node imports.
 */

export interface ChartPoint {
  strategy: string;
  x: number;
  y: number;
  lo: number;
  hi: number;
}

export interface Box {
  x: number;
  y: number;
  w: number;
  h: number;
}

interface Tick {
  value: number;
  /** Position in chart units (x for the x axis, y for the y axis). */
  pos: number;
  text: string;
}

export interface PlacedPoint extends ChartPoint {
  /** Colour index (0..7), stable per strategy's order in the report. */
  color: number;
  cx: number;
  cy: number;
  /** The interval's ends in chart units. */
  yLo: number;
  yHi: number;
  /** The label's box; its text starts at `box.x + LABEL_PAD` on the baseline `box.y + box.h - LABEL_DESCENT`. */
  label: Box;
  /** A line from the marker to a label placed away from it. */
  leader?: { x1: number; y1: number; x2: number; y2: number };
}

export interface ChartModel {
  width: number;
  height: number;
  plot: { left: number; top: number; right: number; bottom: number };
  title: string;
  axisTitle: string;
  axis: 'cost' | 'tokens';
  xTicks: Tick[];
  yTicks: Tick[];
  points: PlacedPoint[];
  /** Set when no placement next to the points fitted: every label sits in a legend column at the right instead. */
  legend: boolean;
}

export const MARKER_R = 5;
const LABEL_FONT = 12;
const LABEL_PAD = 2;
const LABEL_DESCENT = 4;
const LABEL_H = 15;

// ---------------------------------------------------------------------------------------------------------------
// Ticks

/**
 * Ticks in 1-2-5 steps covering [min, max] with at most `maxTicks` ticks: the smallest step of the form
 * {1, 2, 5} x 10^e that needs no more ticks than that. The range widens outward to whole steps.
 */
export function niceTicks(min: number, max: number, maxTicks = 6): { lo: number; hi: number; step: number; ticks: number[] } {
  if (!Number.isFinite(min) || !Number.isFinite(max)) throw new Error(`niceTicks: range must be finite (got ${min}..${max})`);
  if (max < min) [min, max] = [max, min];
  if (max === min) {
    const pad = min === 0 ? 1 : Math.abs(min) * 0.5;
    [min, max] = [min === 0 ? 0 : min - pad, max + pad];
  }
  const intervals = Math.max(1, maxTicks - 1);
  const raw = (max - min) / intervals;
  let exp = Math.floor(Math.log10(raw));
  let step = 0;
  for (;;) {
    const unit = 10 ** exp;
    const found = [1, 2, 5].map((m) => m * unit).find((s) => Math.ceil(max / s - 1e-9) - Math.floor(min / s + 1e-9) <= intervals);
    if (found !== undefined) {
      step = found;
      break;
    }
    exp++;
  }
  const decimals = Math.max(0, -Math.floor(Math.log10(step) + 1e-9));
  const round = (v: number) => Number(v.toFixed(decimals));
  const lo = round(Math.floor(min / step + 1e-9) * step);
  const hi = round(Math.ceil(max / step - 1e-9) * step);
  const ticks: number[] = [];
  for (let i = 0; lo + i * step <= hi + step * 1e-9; i++) ticks.push(round(lo + i * step));
  return { lo, hi, step, ticks };
}

/** Decimals a tick step needs (0.0005 -> 4, 20 -> 0). */
function stepDecimals(step: number): number {
  return Math.max(0, -Math.floor(Math.log10(step) + 1e-9));
}

// ---------------------------------------------------------------------------------------------------------------
// Label sizes and placement

/**
 * A label's width, estimated on the wide side (per character, in em of a common sans-serif such as DejaVu Sans or
 * Segoe UI), so that a box that does not overlap on paper does not overlap when drawn. The browser test measures the
 * drawn boxes.
 */
export function labelWidth(text: string, fontSize = LABEL_FONT): number {
  let em = 0;
  for (const ch of text) {
    if (/[mwMW@%]/.test(ch)) em += 1.0;
    else if (/[A-Z]/.test(ch)) em += 0.8;
    else if (/[il.,:;|!'`]/.test(ch)) em += 0.36;
    else if (/[ftrj()[\]/\\ -]/.test(ch)) em += 0.45;
    else if (ch.charCodeAt(0) > 0x2e7f) em += 1.05;
    else em += 0.66;
  }
  return Math.ceil(em * fontSize) + 2 * LABEL_PAD;
}

export function intersects(a: Box, b: Box): boolean {
  return a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;
}

const inside = (a: Box, area: Box) => a.x >= area.x && a.y >= area.y && a.x + a.w <= area.x + area.w && a.y + a.h <= area.y + area.h;

/** A marker's square box, with a pixel of margin. */
const markerBox = (cx: number, cy: number): Box => ({ x: cx - MARKER_R - 1, y: cy - MARKER_R - 1, w: 2 * MARKER_R + 2, h: 2 * MARKER_R + 2 });

/**
 * Spreads markers that would cover each other (same cost and score, e.g. `single` and `single:a` on a fixed-answer
 * set) sideways just enough that each is seen; x positions move by whole marker widths at most.
 */
function dodge(points: { cx: number; cy: number }[]): number[] {
  const gap = 2 * MARKER_R + 3;
  const placed: { cx: number; cy: number }[] = [];
  const order = points.map((p, i) => i).sort((a, b) => points[a].cx - points[b].cx || a - b);
  const out = points.map((p) => p.cx);
  for (const i of order) {
    let cx = points[i].cx;
    const cy = points[i].cy;
    while (placed.some((q) => Math.abs(q.cx - cx) < gap && Math.abs(q.cy - cy) < gap)) cx += gap;
    placed.push({ cx, cy });
    out[i] = cx;
  }
  return out;
}

/** Label positions tried around a marker, nearest first: right, left, above, below and the diagonals, then farther out. */
function candidates(cx: number, cy: number, w: number, h: number): Box[] {
  const out: Box[] = [];
  for (const d of [3, 12, 24, 40, 60]) {
    const r = MARKER_R + d;
    out.push(
      { x: cx + r, y: cy - h / 2, w, h },
      { x: cx - r - w, y: cy - h / 2, w, h },
      { x: cx - w / 2, y: cy - r - h, w, h },
      { x: cx - w / 2, y: cy + r, w, h },
      { x: cx + r * 0.7, y: cy - r * 0.7 - h, w, h },
      { x: cx + r * 0.7, y: cy + r * 0.7, w, h },
      { x: cx - r * 0.7 - w, y: cy - r * 0.7 - h, w, h },
      { x: cx - r * 0.7 - w, y: cy + r * 0.7, w, h },
    );
  }
  return out;
}

interface LabelInput {
  cx: number;
  cy: number;
  text: string;
  /** The interval bar, which a label should rather not cross. */
  bar?: Box;
}

/**
 * Places one label per marker so that no label overlaps another label or any marker, and each stays inside `area`.
 * Greedy, nearest position first, preferring positions nearer to the label's own marker than to any other and clear of
 * the interval bars. Returns undefined when some label has no free position (the caller then uses a legend).
 */
function placeLabels(items: LabelInput[], area: Box, fontSize = LABEL_FONT): Box[] | undefined {
  const markers = items.map((p) => markerBox(p.cx, p.cy));
  const bars = items.flatMap((p) => (p.bar ? [p.bar] : []));
  const placed: Box[] = [];
  const result: Box[] = new Array(items.length);
  // Crowded markers first: they have the fewest free positions.
  const crowd = (i: number) => items.filter((q) => Math.hypot(q.cx - items[i].cx, q.cy - items[i].cy) < 60).length;
  const order = items.map((_, i) => i).sort((a, b) => crowd(b) - crowd(a) || items[a].cx - items[b].cx || a - b);
  for (const i of order) {
    const p = items[i];
    const w = labelWidth(p.text, fontSize);
    const free = (box: Box) => inside(box, area) && !placed.some((b) => intersects(b, box)) && !markers.some((m) => intersects(m, box));
    const clearOfBars = (box: Box) => !bars.some((b) => intersects(b, box));
    // Nearer to its own marker than to any other, so that it reads as that marker's.
    const own = (box: Box) => {
      const d = (q: LabelInput) => Math.hypot(Math.min(Math.max(q.cx, box.x), box.x + box.w) - q.cx, Math.min(Math.max(q.cy, box.y), box.y + box.h) - q.cy);
      const mine = d(p);
      return items.every((q, j) => j === i || d(q) > mine);
    };
    const all = candidates(p.cx, p.cy, w, (LABEL_H * fontSize) / LABEL_FONT).filter(free);
    const box = all.find((b) => own(b) && clearOfBars(b)) ?? all.find(own) ?? all.find(clearOfBars) ?? all[0];
    if (!box) return undefined;
    placed.push(box);
    result[i] = box;
  }
  return result;
}

// ---------------------------------------------------------------------------------------------------------------
// The model

export interface ChartInput {
  grader: GraderKind;
  scoreRange: [number, number];
  axis: 'cost' | 'tokens';
  title: string;
  points: ChartPoint[];
}

const int = (n: number) => Math.round(n).toLocaleString('en-US');

export function buildChart(input: ChartInput, size: { width?: number; height?: number } = {}): ChartModel {
  const width = size.width ?? 640;
  let height = size.height ?? 380;
  const plot = { left: 64, top: 32, right: width - 24, bottom: height - 52 };
  const [ymin, ymax] = input.scoreRange;
  const yScale = niceTicks(ymin, ymax, 6);
  const xData = Math.max(0, ...input.points.map((p) => p.x));
  const xScale = niceTicks(0, xData > 0 ? xData * 1.08 : 0, 6);
  const sx = (x: number) => plot.left + ((x - xScale.lo) / (xScale.hi - xScale.lo)) * (plot.right - plot.left);
  const sy = (y: number) => plot.bottom - ((y - yScale.lo) / (yScale.hi - yScale.lo)) * (plot.bottom - plot.top);
  const xDec = stepDecimals(xScale.step);
  const yDec = stepDecimals(input.grader === 'rubric' ? yScale.step : yScale.step * 100);
  const xTicks = xScale.ticks.map((v) => ({ value: v, pos: sx(v), text: input.axis === 'cost' ? `$${v.toFixed(xDec)}` : int(v) }));
  const yTicks = yScale.ticks.map((v) => ({ value: v, pos: sy(v), text: input.grader === 'rubric' ? v.toFixed(yDec) : `${(v * 100).toFixed(yDec)}%` }));

  const raw = input.points.map((p, i) => ({ ...p, color: i % 8, cx: sx(p.x), cy: sy(p.y), yLo: sy(p.lo), yHi: sy(p.hi) }));
  const xs = dodge(raw);
  raw.forEach((p, i) => (p.cx = xs[i]));
  // Labels may use the plot and the right margin, not the axis labels' space.
  const area: Box = { x: plot.left + 1, y: plot.top - 8, w: width - 2 - plot.left - 1, h: plot.bottom - plot.top + 6 };
  const boxes = placeLabels(
    raw.map((p) => ({ cx: p.cx, cy: p.cy, text: p.strategy, bar: { x: p.cx - MARKER_R, y: Math.min(p.yHi, p.yLo), w: 2 * MARKER_R, h: Math.abs(p.yLo - p.yHi) } })),
    area,
  );
  let legend = false;
  let points: PlacedPoint[];
  if (boxes) {
    points = raw.map((p, i) => {
      const box = boxes[i];
      const edge = nearestEdge(box, p.cx, p.cy);
      // A label not touching its marker gets a line to it, so that it cannot be read as its neighbour's.
      const away = Math.hypot(edge.x2 - p.cx, edge.y2 - p.cy) > MARKER_R + 5;
      return {
        ...p,
        label: box,
        ...(away ? { leader: { x1: p.cx, y1: p.cy, ...edge } } : {}),
      };
    });
  } else {
    // A legend column at the right: the plot narrows, the chart grows taller if the column needs it.
    legend = true;
    const lx = width - 8 - Math.max(...raw.map((p) => labelWidth(p.strategy)));
    plot.right = lx - 2 * MARKER_R - 8 - 16;
    height = Math.max(height, plot.top + raw.length * (LABEL_H + 4) + 60);
    plot.bottom = height - 52;
    // Rescale to the narrower plot.
    const sx2 = (x: number) => plot.left + ((x - xScale.lo) / (xScale.hi - xScale.lo)) * (plot.right - plot.left);
    const sy2 = (y: number) => plot.bottom - ((y - yScale.lo) / (yScale.hi - yScale.lo)) * (plot.bottom - plot.top);
    for (const t of xTicks) t.pos = sx2(t.value);
    for (const t of yTicks) t.pos = sy2(t.value);
    const again = raw.map((p) => ({ ...p, cx: sx2(p.x), cy: sy2(p.y), yLo: sy2(p.lo), yHi: sy2(p.hi) }));
    const xs2 = dodge(again);
    points = again.map((p, i) => ({
      ...p,
      cx: xs2[i],
      label: { x: lx, y: plot.top + i * (LABEL_H + 4), w: labelWidth(p.strategy), h: LABEL_H },
    }));
  }
  return {
    width,
    height,
    plot,
    title: input.title,
    axisTitle: input.axis === 'cost' ? 'cost per run (USD)' : 'tokens per run',
    axis: input.axis,
    xTicks,
    yTicks,
    points,
    legend,
  };
}

function nearestEdge(box: Box, x: number, y: number): { x2: number; y2: number } {
  return { x2: Math.min(Math.max(x, box.x), box.x + box.w), y2: Math.min(Math.max(y, box.y), box.y + box.h) };
}

// ---------------------------------------------------------------------------------------------------------------
// Drawing: one element tree, serialized to a string (report.svg) or built as DOM (the results view)

export interface SvgNode {
  tag: string;
  attrs: Record<string, string | number>;
  text?: string;
  children?: SvgNode[];
}

const CHART_COLORS = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e', '#8c564b', '#e377c2', '#17becf'];

const n = (tag: string, attrs: Record<string, string | number>, children?: SvgNode[] | string): SvgNode =>
  typeof children === 'string' ? { tag, attrs, text: children } : { tag, attrs, ...(children ? { children } : {}) };
const r1 = (v: number) => Math.round(v * 10) / 10;

/**
 * The chart's elements. Colours are presentation attributes (report.svg stands alone); the results view's stylesheet
 * overrides them through the classes to follow the theme.
 */
export function chartTree(model: ChartModel, tooltip: (p: PlacedPoint) => string): SvgNode {
  const { plot, width: W, height: H } = model;
  const children: SvgNode[] = [
    n('rect', { width: W, height: H, class: 'bg', fill: 'white' }),
    n('text', { x: W / 2, y: 18, 'text-anchor': 'middle', class: 'title', 'font-size': 14, fill: '#222' }, model.title),
  ];
  for (const t of model.yTicks) {
    children.push(n('line', { x1: plot.left, x2: plot.right, y1: r1(t.pos), y2: r1(t.pos), class: 'grid', stroke: '#ddd' }));
    children.push(n('text', { x: plot.left - 6, y: r1(t.pos + 4), 'text-anchor': 'end', class: 'tick', 'font-size': 11, fill: '#444', 'data-testid': 'eval-ytick' }, t.text));
  }
  for (const t of model.xTicks) {
    children.push(n('line', { x1: r1(t.pos), x2: r1(t.pos), y1: plot.bottom, y2: plot.bottom + 4, class: 'axis-line', stroke: '#444' }));
    children.push(n('text', { x: r1(t.pos), y: plot.bottom + 16, 'text-anchor': 'middle', class: 'tick', 'font-size': 11, fill: '#444', 'data-testid': 'eval-xtick' }, t.text));
  }
  children.push(
    n('line', { x1: plot.left, x2: plot.left, y1: plot.top, y2: plot.bottom, class: 'axis-line', stroke: '#444' }),
    n('line', { x1: plot.left, x2: plot.right, y1: plot.bottom, y2: plot.bottom, class: 'axis-line', stroke: '#444' }),
    n('text', { x: (plot.left + plot.right) / 2, y: H - 12, 'text-anchor': 'middle', class: 'axis', 'font-size': 12, fill: '#222' }, model.axisTitle),
  );
  for (const p of model.points) {
    const c = CHART_COLORS[p.color];
    const cls = `c${p.color}`;
    const x = r1(p.cx);
    const g: SvgNode[] = [
      n('line', { x1: x, x2: x, y1: r1(p.yLo), y2: r1(p.yHi), class: `ci ${cls}`, stroke: c, 'stroke-width': 2 }),
      n('line', { x1: x - 5, x2: x + 5, y1: r1(p.yLo), y2: r1(p.yLo), class: `ci ${cls}`, stroke: c }),
      n('line', { x1: x - 5, x2: x + 5, y1: r1(p.yHi), y2: r1(p.yHi), class: `ci ${cls}`, stroke: c }),
      n('circle', { cx: x, cy: r1(p.cy), r: MARKER_R, class: cls, fill: c }),
    ];
    if (p.leader) g.push(n('line', { x1: x, y1: r1(p.cy), x2: r1(p.leader.x2), y2: r1(p.leader.y2), class: `leader ${cls}`, stroke: c, 'stroke-width': 0.75 }));
    if (model.legend) {
      g.push(n('circle', { cx: r1(p.label.x - MARKER_R - 4), cy: r1(p.label.y + p.label.h / 2), r: MARKER_R, class: `swatch ${cls}`, fill: c }));
    }
    g.push(
      n(
        'text',
        { x: r1(p.label.x + LABEL_PAD), y: r1(p.label.y + p.label.h - LABEL_DESCENT), class: `label ${cls}`, 'font-size': LABEL_FONT, fill: c, 'data-testid': 'eval-label' },
        p.strategy,
      ),
      n('title', {}, tooltip(p)),
    );
    children.push(n('g', { class: 'point', 'data-testid': 'eval-point', 'data-strategy': p.strategy }, g));
  }
  return n(
    'svg',
    {
      xmlns: 'http://www.w3.org/2000/svg',
      viewBox: `0 0 ${W} ${H}`,
      width: W,
      height: H,
      'font-family': 'sans-serif',
      role: 'img',
      class: `eval-chart${model.legend ? ' legend' : ''}`,
      'data-testid': 'eval-chart',
      'aria-label': model.title,
    },
    children,
  );
}

function xml(text: string): string {
  return text.replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&#39;' })[c]!);
}

export function svgString(node: SvgNode): string {
  const attrs = Object.entries(node.attrs)
    .map(([k, v]) => ` ${k}="${xml(String(v))}"`)
    .join('');
  if (node.text !== undefined) return `<${node.tag}${attrs}>${xml(node.text)}</${node.tag}>`;
  if (!node.children?.length) return `<${node.tag}${attrs}/>`;
  return `<${node.tag}${attrs}>\n${node.children.map(svgString).join('\n')}\n</${node.tag}>`;
}
