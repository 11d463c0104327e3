import assert from 'node:assert/strict';
import { unitKey } from '../../../src/eval/records';
import { buildRouter, type RouterSource } from '../../../src/eval/route-build';
import { loadConfig, type SmoaConfig, type SmoaConfigInput } from '../../../src/pipeline/config';
import { planRoute } from '../../../src/pipeline/route/choose';
import { parseRouterFile, parseRouterText, type RouterFile } from '../../../src/pipeline/route/router-file';
import { skillRecords, skillTasks } from '../helpers/route-fixtures';

function config(overrides: Partial<SmoaConfigInput> = {}): SmoaConfig {
  return loadConfig({
    endpoints: [{ id: 'local', baseURL: 'http://127.0.0.1:9/v1' }],
    models: [
      { id: 'arith', endpoint: 'local', model: 'm-arith' },
      { id: 'coder', endpoint: 'local', model: 'm-coder' },
      { id: 'neither', endpoint: 'local', model: 'm-neither' },
    ],
    proposers: ['arith', 'coder', 'neither'],
    aggregator: 'neither',
    strategy: 'route',
    roles: 'off',
    ...overrides,
  });
}

function source(records = skillRecords(skillTasks())): RouterSource {
  return { name: 'out/eval', tasks: skillTasks(), ...records, grader: 'exact' };
}

function built(src: RouterSource = source()): RouterFile {
  const result = buildRouter([src], { now: new Date('2026-12-01T00:00:00Z') });
  assert.ok(result.ok, result.ok ? '' : result.message);
  return result.router;
}

describe('router: build from evaluation records', () => {
  it('scores each model per task, per category and per group of similar tasks, with spread, cost, tokens and latency', () => {
    const router = built();
    assert.deepEqual(router.models, ['arith', 'coder', 'neither']);
    assert.equal(router.tasks.length, 20);
    assert.deepEqual(router.tasks.find((t) => t.id === 'arith-3')!.scores, { arith: 1, coder: 0, neither: 0 });
    const arith = router.categories.find((c) => c.id === 'arithmetic')!;
    assert.deepEqual(arith.models.arith, { score: 1, sd: 0, n: 10, costUsd: 0.001, tokens: 60, latencyMs: 100 });
    assert.equal(arith.models.coder.score, 0);
    assert.equal(arith.strategies!.smoa.score, 0.5, 'evaluated ensemble strategies are kept for comparison');
    assert.equal(router.overall.models.neither.score, 0);
    // Every group holds tasks of one category; arithmetic questions look alike and share a group.
    for (const g of router.groups) assert.ok(g.tasks.every((id) => router.tasks.find((t) => t.id === id)!.category === g.category));
    const arithGroups = new Set(router.tasks.filter((t) => t.category === 'arithmetic').map((t) => t.group));
    assert.equal(arithGroups.size, 1);
    assert.ok(parseRouterFile(JSON.parse(JSON.stringify(router))).ok, 'what is written reads back');
  });

  it('learns only from the training split when told to, and names what it cannot use', () => {
    const train = new Set(skillTasks().filter((_, i) => i % 2 === 0).map((t) => t.id));
    const result = buildRouter([source()], { onlyTasks: train });
    assert.ok(result.ok);
    assert.deepEqual(new Set(result.router.tasks.map((t) => t.id)), train);
    const noSingles = buildRouter([{ ...source(), answers: source().answers.filter((a) => a.strategy === 'smoa') }]);
    assert.equal(noSingles.ok, false);
    assert.match(!noSingles.ok ? noSingles.message : '', /no single:<model> runs.*--strategies single:<id>/);
    const mixed = buildRouter([source(), { ...source(), grader: 'rubric' }]);
    assert.match(!mixed.ok ? mixed.message : '', /graded differently \(exact, rubric\)/);
  });

  it('a file that is not a router is refused with the field that is wrong', () => {
    assert.match((parseRouterText('{"format":"smoa-router","version":1}') as { message: string }).message, /not a SMoA router.*builtAt/);
    assert.match((parseRouterText('{oops', 'router.json') as { message: string }).message, /router.json is not valid JSON/);
  });
});

describe('router: choosing per prompt', () => {
  it('an arithmetic prompt goes to the arithmetic model alone; a code prompt to the code model; each says why', () => {
    const router = built();
    const arith = planRoute(config(), 'What is 123 + 456? Answer with the number.', router);
    assert.equal(arith.decision.chosen, 'single:arith');
    assert.equal(arith.strategy, 'single');
    assert.equal(arith.config.aggregator, 'arith');
    assert.equal(arith.decision.category, 'arithmetic');
    assert.ok(arith.decision.nearest.length > 0 && arith.decision.nearest.every((n) => n.id.startsWith('arith-')));
    assert.match(arith.decision.reason, /arith 1\.00±0\.\d+ is clearly best for its cost/);
    assert.equal(arith.decision.expected[0].modelId, 'arith');

    const code = planRoute(config(), 'Write a Python function named merge_dicts that merges two dicts. Reply with code only.', router);
    assert.equal(code.decision.chosen, 'single:coder');
    assert.equal(code.config.aggregator, 'coder');
    assert.equal(code.decision.category, 'code');
  });

  it('a prompt unlike any evaluated task falls back to the configured strategy and says so', () => {
    const router = built();
    const plan = planRoute(config({ route: { fallback: 'moa' } }), 'Compose a sonnet about autumn leaves in Kyoto', router);
    assert.equal(plan.decision.fallback, true);
    assert.equal(plan.strategy, 'moa');
    assert.equal(plan.config.proposers.length, 3, 'the fallback runs the configured panel');
    assert.match(plan.decision.reason, /no evaluated task is like this prompt: best similarity 0\.\d\d < route\.minSimilarity 0\.2.*running the configured moa/);
    // Without route.fallback, a configured non-route strategy is the fallback; no router at all says how to make one.
    const none = planRoute(config({ strategy: 'adaptive' }), 'What is 1 + 2?', undefined);
    assert.equal(none.strategy, 'adaptive');
    assert.match(none.decision.reason, /no router file is loaded.*smoa route build/);
    const unknownModels = planRoute(config(), 'What is 1 + 2?', { ...router, models: ['gpt-x'] });
    assert.match(unknownModels.decision.reason, /scores for none of the configured models \(it knows gpt-x\)/);
  });

  it('no clear winner: SMoA (or adaptive) over the top models, at most route.maxProposers', () => {
    // Everyone is half right on everything: nobody is clearly best.
    const records = skillRecords(skillTasks());
    for (const g of records.grades) g.score = 0.5;
    const router = built(source(records));
    const three = planRoute(config(), 'What is 20 + 22?', router);
    assert.equal(three.strategy, 'adaptive');
    assert.deepEqual(three.config.proposers, ['arith', 'coder', 'neither']);
    assert.match(three.decision.reason, /no model is clearly best.*adaptive over the top 3/);
    const two = planRoute(config({ route: { maxProposers: 2 } }), 'What is 20 + 22?', router);
    assert.equal(two.strategy, 'smoa');
    assert.equal(two.config.proposers.length, 2);
    assert.equal(two.config.topK, 2);
  });

  it('the best model varies on such tasks: Self-MoA with it', () => {
    // arith is right on 7 of 10 arithmetic tasks; the others never.
    const records = skillRecords(skillTasks());
    for (const g of records.grades) if (['arith-1', 'arith-2', 'arith-3'].some((id) => g.key === unitKey(id, 'single:arith', 0))) g.score = 0;
    const plan = planRoute(config(), 'What is 1000 + 2000? Answer with the number.', built(source(records)));
    assert.equal(plan.strategy, 'self');
    assert.equal(plan.config.selfModel, 'arith');
    assert.match(plan.decision.reason, /varies \(sd 0\.\d+ > 0\.25\): Self-MoA samples it 3 times/);
  });

  it('cost weighs in: a slightly better but much dearer model loses to a cheap one under route.costWeight', () => {
    const records = skillRecords(skillTasks(), { arith: 0.01, coder: 0.0001, neither: 0.0001 });
    // On arithmetic, coder is now nearly as good as arith.
    const onArithmetic = (model: string) => records.answers.filter((a) => a.taskId.startsWith('arith-') && a.strategy === `single:${model}`).map((a) => a.key);
    for (const g of records.grades) if (onArithmetic('coder').includes(g.key)) g.score = 0.9;
    const router = built(source(records));
    assert.equal(planRoute(config({ route: { costWeight: 0 } }), 'What is 5 + 9?', router).decision.chosen.split(':')[0], 'smoa', 'quality alone: too close to call');
    const cheap = planRoute(config({ route: { costWeight: 0.5 } }), 'What is 5 + 9?', router);
    assert.equal(cheap.decision.chosen, 'single:coder');
    assert.ok(cheap.decision.expected.find((e) => e.modelId === 'arith')!.relativeCost === 1);
  });
});
