import assert from 'node:assert/strict';
import { buildChart, intersects, labelWidth, MARKER_R, niceTicks, type ChartModel, type ChartPoint } from '../../../src/eval/chart';
import { chartPoints, renderSvg, summarize } from '../../../src/eval/report';
import { unitKey, type AnswerRecord, type GradeRecord } from '../../../src/eval/records';
import type { EvalTask } from '../../../src/eval/tasks';

/** The step's leading digit: 1, 2 or 5. */
function mantissa(step: number): number {
  return Math.round(step / 10 ** Math.floor(Math.log10(step) + 1e-9));
}

/** Every way two things on the chart could cover each other: labels with labels, labels with markers, markers with markers. */
function overlaps(model: ChartModel): string[] {
  const out: string[] = [];
  const ps = model.points;
  for (let i = 0; i < ps.length; i++) {
    const a = ps[i];
    const inBounds = a.label.x >= 0 && a.label.y >= 0 && a.label.x + a.label.w <= model.width && a.label.y + a.label.h <= model.height;
    if (!inBounds) out.push(`${a.strategy}: label outside the chart`);
    for (let j = 0; j < ps.length; j++) {
      const b = ps[j];
      const marker = { x: b.cx - MARKER_R, y: b.cy - MARKER_R, w: 2 * MARKER_R, h: 2 * MARKER_R };
      if (intersects(a.label, marker)) out.push(`${a.strategy}'s label covers ${b.strategy}'s marker`);
      if (j <= i) continue;
      if (intersects(a.label, b.label)) out.push(`labels ${a.strategy} and ${b.strategy} overlap`);
      if (Math.hypot(a.cx - b.cx, a.cy - b.cy) < 2 * MARKER_R) out.push(`markers ${a.strategy} and ${b.strategy} cover each other`);
    }
  }
  return out;
}

/** A seeded generator (mulberry32), so a failing layout can be replayed. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const SIX = ['single:a', 'single', 'smoa', 'moa', 'self', 'debate'];

describe('eval chart', () => {
  describe('niceTicks', () => {
    it('steps of 1, 2 or 5 times a power of ten, never 775 / 1,550 / 2,326', () => {
      assert.deepEqual(niceTicks(0, 3101).ticks, [0, 1000, 2000, 3000, 4000]);
      assert.deepEqual(niceTicks(0, 2326).ticks, [0, 500, 1000, 1500, 2000, 2500]);
      assert.deepEqual(niceTicks(0, 1).ticks, [0, 0.2, 0.4, 0.6, 0.8, 1]);
      assert.deepEqual(niceTicks(1, 5).ticks, [1, 2, 3, 4, 5]);
      assert.deepEqual(niceTicks(0, 0.0123).ticks, [0, 0.005, 0.01, 0.015]);
      assert.deepEqual(niceTicks(0, 0.00042).ticks, [0, 0.0001, 0.0002, 0.0003, 0.0004, 0.0005]);
      assert.deepEqual(niceTicks(0, 0).ticks, [0, 0.2, 0.4, 0.6, 0.8, 1], 'an empty range still has an axis');
    });

    it('for any range: at most maxTicks ticks, a 1-2-5 step, the range covered, ticks exact multiples of the step', () => {
      const next = rng(7);
      for (let i = 0; i < 2000; i++) {
        const scale = 10 ** Math.floor(next() * 12 - 6);
        const min = next() < 0.5 ? 0 : next() * scale;
        const max = min + next() * scale * 10;
        const maxTicks = 3 + Math.floor(next() * 6);
        const { lo, hi, step, ticks } = niceTicks(min, max, maxTicks);
        const where = `niceTicks(${min}, ${max}, ${maxTicks})`;
        assert.ok(ticks.length <= maxTicks && ticks.length >= 2, `${where}: ${ticks.length} ticks`);
        assert.ok([1, 2, 5].includes(mantissa(step)), `${where}: step ${step}`);
        assert.ok(lo <= min + step * 1e-9 && hi >= max - step * 1e-9, `${where}: [${lo}, ${hi}] does not cover the range`);
        for (const t of ticks) assert.ok(Math.abs(t / step - Math.round(t / step)) < 1e-6, `${where}: tick ${t} is not a multiple of ${step}`);
      }
    });
  });

  describe('labels', () => {
    const input = (points: ChartPoint[]) => ({ grader: 'exact' as const, scoreRange: [0, 1] as [number, number], axis: 'cost' as const, title: 'accuracy against cost per run', points });

    it('six strategies with single:a on top of single and smoa next to moa: no label covers another or a marker, every marker seen', () => {
      const points: ChartPoint[] = [
        { strategy: 'single:a', x: 0.001, y: 0.6, lo: 0.45, hi: 0.75 },
        { strategy: 'single', x: 0.001, y: 0.6, lo: 0.45, hi: 0.75 },
        { strategy: 'smoa', x: 0.0041, y: 0.7, lo: 0.55, hi: 0.82 },
        { strategy: 'moa', x: 0.0043, y: 0.7, lo: 0.56, hi: 0.83 },
        { strategy: 'self', x: 0.0042, y: 0.69, lo: 0.5, hi: 0.8 },
        { strategy: 'debate', x: 0.0044, y: 0.71, lo: 0.6, hi: 0.85 },
      ];
      const model = buildChart(input(points));
      assert.deepEqual(overlaps(model), []);
      assert.equal(model.points.length, 6);
      assert.deepEqual(model.xTicks.map((t) => t.text), ['$0.000', '$0.001', '$0.002', '$0.003', '$0.004', '$0.005']);
      assert.deepEqual(model.yTicks.map((t) => t.text), ['0%', '20%', '40%', '60%', '80%', '100%']);
      // Cheaper stays left of dearer after the dodge.
      const cx = (s: string) => model.points.find((p) => p.strategy === s)!.cx;
      assert.ok(Math.max(cx('single'), cx('single:a')) < Math.min(cx('smoa'), cx('moa')));
    });

    it('random crowded charts (2-8 strategies, clustered, coincident): never an overlap, by labels or by the legend', () => {
      const next = rng(42);
      let legends = 0;
      for (let k = 0; k < 400; k++) {
        const count = 2 + Math.floor(next() * 7);
        const cluster = next() < 0.5;
        const points = Array.from({ length: count }, (_, i) => {
          const y = cluster ? 0.5 + next() * 0.05 : next();
          const x = cluster ? 1000 + next() * 50 : next() * 5000;
          return { strategy: next() < 0.3 ? `single:${'abcdefgh'[i]}` : SIX[i % 6] + (i >= 6 ? String(i) : ''), x: next() < 0.2 ? 1000 : x, y, lo: Math.max(0, y - 0.1), hi: Math.min(1, y + 0.1) };
        });
        const model = buildChart({ ...input(points), axis: 'tokens' });
        if (model.legend) legends++;
        assert.deepEqual(overlaps(model), [], `layout ${k}: ${JSON.stringify(points)}`);
      }
      assert.ok(legends < 40, `the legend is a fallback, used in ${legends} of 400 crowded layouts`);
    });

    it('label widths err on the wide side of a sans-serif font (DejaVu Sans at 12px: "smoa" is 33px wide)', () => {
      assert.ok(labelWidth('smoa') >= 33);
      assert.ok(labelWidth('single:a') >= labelWidth('single'));
      assert.ok(labelWidth('WWW') > labelWidth('iii'));
    });
  });

  it('report.svg draws the model: one label per strategy at its placed box, nice ticks', () => {
    const tasks: EvalTask[] = [{ id: 'q1', prompt: 'p', reference: '1', match: 'numeric', source: 'line 1' }];
    const answers: AnswerRecord[] = SIX.map((s, i) => ({
      key: unitKey('q1', s, 0),
      taskId: 'q1',
      strategy: s,
      repeat: 0,
      promptHash: 'x',
      status: 'ok',
      answer: '1',
      totals: { calls: 1, failedCalls: 0, promptTokens: 700 + i, completionTokens: 75 * (i + 1), estimated: false, wallMs: 1, layersRun: 0 },
    }));
    const grades: GradeRecord[] = answers.map((a) => ({ key: a.key, grader: 'exact', score: 1 }));
    const svg = renderSvg(summarize({ tasks, strategies: SIX, grader: 'exact', repeat: 1, seed: 0, answers, grades }));
    for (const s of SIX) assert.match(svg, new RegExp(`data-testid="eval-label"[^>]*>${s}</text>`));
    const ticks = [...svg.matchAll(/data-testid="eval-xtick">([^<]+)</g)].map((m) => m[1]);
    // About 1,155 tokens per run at most: steps of 500.
    assert.deepEqual(ticks, ['0', '500', '1,000', '1,500']);
  });

  it('the pairwise baseline strategy is drawn too, at 50% (it ties with itself), with its cost', () => {
    const tasks: EvalTask[] = [{ id: 'q1', prompt: 'p', source: 'line 1' }];
    const answers: AnswerRecord[] = ['single:a', 'smoa'].map((s, i) => ({
      key: unitKey('q1', s, 0),
      taskId: 'q1',
      strategy: s,
      repeat: 0,
      promptHash: 'x',
      status: 'ok',
      answer: 'x',
      totals: { calls: 1, failedCalls: 0, promptTokens: 100 * (i + 1), completionTokens: 100, estimated: false, wallMs: 1, layersRun: 0 },
    }));
    const grades: GradeRecord[] = [{ key: answers[1].key, grader: 'pairwise', baseline: 'single:a', score: 1 }];
    const report = summarize({ tasks, strategies: ['single:a', 'smoa'], grader: 'pairwise', baseline: 'single:a', repeat: 1, seed: 0, answers, grades });
    const points = chartPoints(report);
    assert.deepEqual(points.map((p) => [p.strategy, p.y, p.x]), [['single:a', 0.5, 200], ['smoa', 1, 300]]);
    assert.match(renderSvg(report), /data-testid="eval-label"[^>]*>single:a<\/text>/);
  });
});
