import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildRouterCommand, type BuildRouterPort } from '../../../src/commands/build-router-flow';
import type { ResultsFolder } from '../../../src/eval/route-sources';
import { parseRouterText } from '../../../src/pipeline/route/router-file';
import { skillRecords, skillTasks } from '../helpers/route-fixtures';

/** A results folder as an evaluation writes it: report, tasks, answers and grades. */
function resultsFolder(dir: string, report: object = { grader: 'exact' }): string {
  mkdirSync(dir, { recursive: true });
  const tasks = skillTasks(4);
  const { answers, grades } = skillRecords(tasks);
  writeFileSync(join(dir, 'report.json'), JSON.stringify(report));
  writeFileSync(join(dir, 'tasks.json'), JSON.stringify(tasks));
  writeFileSync(join(dir, 'answers.jsonl'), answers.map((a) => JSON.stringify(a)).join('\n') + '\n');
  writeFileSync(join(dir, 'grades.jsonl'), grades.map((g) => JSON.stringify(g)).join('\n') + '\n');
  return dir;
}

function fakePort(root: string, answers: { folders?: (stored: ResultsFolder[]) => string[] | undefined; target?: string; use?: boolean }) {
  const said = { errors: [] as string[], offered: [] as string[], used: [] as string[], offeredFolders: [] as ResultsFolder[][] };
  const port: BuildRouterPort = {
    evaluationsRoot: root,
    pickFolders: async (stored) => {
      said.offeredFolders.push(stored);
      return answers.folders ? answers.folders(stored) : stored.map((f) => f.dir);
    },
    pickTarget: async () => answers.target,
    writeFile: async (path, text) => writeFileSync(path, text),
    offerToUse: async (_path, summary) => {
      said.offered.push(summary);
      return answers.use ?? false;
    },
    useRouterFile: async (path) => void said.used.push(path),
    showError: (message) => void said.errors.push(message),
    log: () => undefined,
  };
  return { port, said };
}

describe('SMoA: Build Router from Evaluations', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'smoa-router-cmd-'));
  });

  it('offers the evaluations run in VS Code, newest first, writes the router and points smoa.route.file at it when asked', async () => {
    const root = join(dir, 'evaluations');
    resultsFolder(join(root, '2026-12-01-reasoning'));
    mkdirSync(join(root, 'not-results')); // no report.json: not offered
    const target = join(dir, 'router.json');
    const { port, said } = fakePort(root, { target, use: true });
    const written = await buildRouterCommand(port);
    assert.equal(written, target);
    assert.deepEqual(said.offeredFolders[0].map((f) => f.name), ['2026-12-01-reasoning']);
    const parsed = parseRouterText(readFileSync(target, 'utf8'));
    assert.ok(parsed.ok, parsed.ok ? '' : parsed.message);
    assert.deepEqual([...parsed.router.models].sort(), ['arith', 'coder', 'neither']);
    assert.match(said.offered[0], /^8 tasks, 2 categories, \d+ groups, models /);
    assert.deepEqual(said.used, [target]);
    assert.deepEqual(said.errors, []);
  });

  it('a folder that is not an evaluation is named in the error, and nothing is written', async () => {
    const bad = join(dir, 'random');
    mkdirSync(bad);
    const target = join(dir, 'router.json');
    const { port, said } = fakePort(join(dir, 'none'), { target });
    assert.equal(await buildRouterCommand(port, { from: [bad], out: target }), undefined);
    assert.equal(said.errors.length, 1);
    assert.match(said.errors[0], /random is not a SMoA evaluation results folder: report\.json is missing/);
    assert.throws(() => readFileSync(target));
  });

  it('a report without a grader, and cancelling a picker, write nothing', async () => {
    const noGrader = resultsFolder(join(dir, 'old'), {});
    const target = join(dir, 'router.json');
    const { port, said } = fakePort(dir, { target, folders: () => undefined });
    assert.equal(await buildRouterCommand(port), undefined, 'cancelled at the folder picker');
    assert.equal(await buildRouterCommand(port, { from: [noGrader], out: target }), undefined);
    assert.match(said.errors[0], /old[\\/]report\.json names no grader/);
    assert.throws(() => readFileSync(target));
  });
});
