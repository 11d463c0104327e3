import { existsSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import * as vscode from 'vscode';
import { DirStore, REPORT_JSON, TASKS_JSON } from '../eval/dir-store';
import { GRADERS, graderUsesModel, REFERENCE_BASELINE, type GraderKind } from '../eval/kinds';
import { runEvaluation } from '../eval/harness';
import { renderMarkdown, renderSvg, summarize, type EvalReport } from '../eval/report';
import { formatProblems, parseTaskFile, type EvalTask } from '../eval/tasks';
import { COMMANDS } from '../host/command-ids';
import type { ExtensionServices } from '../host/services';
import { judgeModels, type SmoaConfig } from '../pipeline/config';
import { parseStrategySpecs, strategySpecNames, type StrategySpec } from '../pipeline/strategy-spec';
import { EvalPanel, readResultsFolder } from './eval-panel';
import { tracePanelServices } from './trace-panel';

/** Arguments for running without the pickers (tests, keybindings): every field a picker would ask for. */
export interface RunEvaluationArgs {
  tasks: string;
  strategies: string[];
  grader?: GraderKind;
  graderModel?: string;
  baseline?: string;
  concurrency?: number;
}

/**
 * "SMoA: Run Evaluation": pick a task file, strategies and a grader; runs under a cancellable progress notification;
 * results (kept in the extension's storage) open in the results view. "SMoA: Open Evaluation Results" reopens a
 * folder written by the view's Save button or by `smoa eval --out`.
 */
export function registerEvaluation(context: vscode.ExtensionContext, services: ExtensionServices): void {
  context.subscriptions.push(
    vscode.commands.registerCommand(COMMANDS.runEvaluation.id, async (args?: RunEvaluationArgs) => {
      try {
        return await runEvaluationCommand(context, services, args);
      } catch (err) {
        void vscode.window.showErrorMessage(`SMoA evaluation: ${err instanceof Error ? err.message : String(err)}`);
        return undefined;
      }
    }),
    vscode.commands.registerCommand(COMMANDS.openEvaluationResults.id, async (folder?: string) => {
      try {
        let dir = folder;
        if (!dir) {
          const [uri] = (await vscode.window.showOpenDialog({ title: 'Open SMoA evaluation results', openLabel: 'Open results', canSelectFiles: false, canSelectFolders: true })) ?? [];
          dir = uri?.fsPath;
        }
        if (dir) EvalPanel.show(context, tracePanelServices(services), readResultsFolder(dir));
      } catch (err) {
        void vscode.window.showErrorMessage(`SMoA evaluation: ${err instanceof Error ? err.message : String(err)}`);
      }
    }),
  );
}

async function runEvaluationCommand(context: vscode.ExtensionContext, services: ExtensionServices, args?: RunEvaluationArgs): Promise<EvalReport | undefined> {
  const resolved = await services.currentConfig();
  if (!resolved.ok) throw new Error(resolved.problem.message);
  const config = resolved.config;

  const taskPath = args?.tasks ?? (await pickTaskFile(context));
  if (!taskPath) return undefined;
  const tasks = readTasks(taskPath);

  const specs = args ? specsOf(args.strategies.join(','), config) : await pickStrategies(config);
  if (!specs) return undefined;
  const allReferenced = tasks.every((t) => t.reference !== undefined);
  const allTested = tasks.every((t) => t.tests !== undefined);
  const allOutputs = tasks.every((t) => t.referenceOutput !== undefined);
  const grader = args?.grader ?? (await pickGrader(allReferenced, allTested));
  if (!grader) return undefined;
  if (grader === 'exact' && !allReferenced) throw new Error(`${basename(taskPath)}: the exact grader needs a "reference" on every task; choose rubric or pairwise.`);
  if (grader === 'tests' && !allTested) throw new Error(`${basename(taskPath)}: the tests grader needs "tests" on every task; choose another grader.`);
  let baseline: string | undefined;
  if (grader === 'pairwise') {
    baseline = args?.baseline ?? (await pickBaseline(specs, config, allOutputs));
    if (!baseline) return undefined;
    if (baseline === REFERENCE_BASELINE) {
      if (!allOutputs) throw new Error(`${basename(taskPath)}: the "reference" baseline needs a reference output (AlpacaEval "output") on every task.`);
    } else {
      const b = specsOf(baseline, config);
      baseline = b[0].label;
      if (!specs.some((s) => s.label === baseline)) specs.unshift(b[0]);
    }
  }
  const graderModel = graderUsesModel(grader) ? (args?.graderModel ?? judgeModels(config)[0]) : undefined;

  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const dir = join(context.globalStorageUri.fsPath, 'evaluations', `${stamp}-${basename(taskPath).replace(/\.[^.]+$/, '')}`);
  const store = new DirStore(dir);
  store.writeFile(TASKS_JSON, JSON.stringify(tasks) + '\n');

  const plan = { tasks, specs, grader, ...(graderModel ? { graderModel } : {}), ...(baseline ? { baseline } : {}), repeat: 1 };
  const outcome = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: `SMoA evaluation of ${basename(taskPath)}`, cancellable: true },
    async (progress, token) => {
      const controller = new AbortController();
      const sub = token.onCancellationRequested(() => controller.abort(new Error('cancelled')));
      let reported = 0;
      try {
        return await runEvaluation(plan, {
          config,
          clientFor: services.clientFor(config),
          store,
          signal: controller.signal,
          concurrency: args?.concurrency ?? 2,
          roleCache: services.roleCache,
          onProgress: (p) => {
            const finished = p.reused + p.done;
            const increment = p.total ? ((finished - reported) / p.total) * 100 : 0;
            reported = finished;
            progress.report({ increment, message: `${finished}/${p.total} runs${p.failed ? `, ${p.failed} failed` : ''}${p.etaMs !== undefined && finished < p.total ? `, about ${Math.ceil(p.etaMs / 1000)} s left` : ''}` });
          },
          onNotice: (message) => void vscode.window.showWarningMessage(`SMoA evaluation: ${message}`),
        });
      } finally {
        sub.dispose();
      }
    },
  );

  const report: EvalReport = {
    ...summarize({ tasks, strategies: specs.map((s) => s.label), grader, graderModel, baseline, repeat: 1, seed: 0, answers: store.answers(), grades: store.grades() }),
    grading: outcome.grading,
    ...(outcome.ending !== 'done' ? { incomplete: { reason: outcome.ending, notRun: outcome.notRun } } : {}),
  };
  store.writeFile(REPORT_JSON, JSON.stringify(report, null, 2) + '\n');
  store.writeFile('report.md', renderMarkdown(report));
  store.writeFile('report.svg', renderSvg(report));
  services.log.info(`evaluation of ${taskPath}: ${outcome.ending}, results in ${dir}`);
  EvalPanel.show(context, tracePanelServices(services), {
    title: basename(taskPath),
    report,
    tasks,
    answers: store.answers(),
    grades: store.grades(),
    trace: (key) => store.trace(key),
    location: dir,
  });
  return report;
}

function readTasks(path: string): EvalTask[] {
  if (!existsSync(path)) throw new Error(`${path} does not exist`);
  const parsed = parseTaskFile(readFileSync(path, 'utf8'));
  if (!parsed.ok) {
    const all = formatProblems(basename(path), parsed.problems);
    const lines = all.split('\n');
    throw new Error(lines.length > 3 ? `${lines.slice(0, 3).join('; ')} (and ${lines.length - 3} more)` : lines.join('; '));
  }
  return parsed.tasks;
}

function specsOf(list: string, config: SmoaConfig): StrategySpec[] {
  const parsed = parseStrategySpecs(list, config);
  if (!parsed.ok) throw new Error(parsed.message);
  return parsed.specs;
}

async function pickTaskFile(context: vscode.ExtensionContext): Promise<string | undefined> {
  type Item = vscode.QuickPickItem & { path?: string; browse?: boolean };
  const items: Item[] = [];
  const files = await vscode.workspace.findFiles('**/*.{jsonl,json}', '**/{node_modules,.git,dist,out}/**', 300);
  for (const uri of files.sort((a, b) => a.fsPath.localeCompare(b.fsPath))) {
    // Only files that read as tasks: checked from their content, so package.json and the like are not offered.
    try {
      const parsed = parseTaskFile(readFileSync(uri.fsPath, 'utf8'));
      if (parsed.ok) items.push({ label: vscode.workspace.asRelativePath(uri), description: `${parsed.tasks.length} tasks (${parsed.formats.join(', ')})`, path: uri.fsPath });
    } catch {
      // unreadable: not offered
    }
  }
  for (const name of ['reasoning', 'programming']) {
    const path = join(context.extensionPath, 'examples', 'eval', `${name}.jsonl`);
    if (existsSync(path)) items.push({ label: `Built-in: ${name}`, description: name === 'reasoning' ? 'exact answers' : 'open questions (rubric, pairwise)', path });
  }
  items.push({ label: 'Browse…', browse: true });
  const picked = await vscode.window.showQuickPick(items, { title: 'SMoA evaluation (1/3): task file', placeHolder: 'JSON Lines tasks, GSM8K, MT-Bench question.jsonl or AlpacaEval JSON' });
  if (!picked) return undefined;
  if (!picked.browse) return picked.path;
  const [uri] = (await vscode.window.showOpenDialog({ title: 'Task file', canSelectMany: false, filters: { Tasks: ['jsonl', 'json'] } })) ?? [];
  return uri?.fsPath;
}

async function pickStrategies(config: SmoaConfig): Promise<StrategySpec[] | undefined> {
  const defaults = new Set(['smoa', 'moa', 'single']);
  const items = strategySpecNames(config).map((name) => ({ label: name, picked: defaults.has(name), description: name.startsWith('single:') ? 'this model alone' : undefined }));
  const picked = await vscode.window.showQuickPick(items, { title: 'SMoA evaluation (2/3): strategies', canPickMany: true, placeHolder: 'Each one is a row of the results' });
  if (!picked || picked.length === 0) return undefined;
  return specsOf(picked.map((p) => p.label).join(','), config);
}

async function pickGrader(allReferenced: boolean, allTested: boolean): Promise<GraderKind | undefined> {
  const about: Record<GraderKind, string> = {
    exact: allReferenced ? 'compare with each task\'s reference answer' : 'needs a reference on every task',
    rubric: 'a model scores six aspects 1-5',
    pairwise: 'a model compares each answer with a baseline, in both orders',
    tests: allTested ? 'run the answer\'s code with each task\'s tests (pass@1)' : 'needs tests on every task',
  };
  const items = GRADERS.filter((g) => (g !== 'exact' || allReferenced) && (g !== 'tests' || allTested)).map((g) => ({ label: g, description: about[g] }));
  const picked = await vscode.window.showQuickPick(items, { title: 'SMoA evaluation (3/3): grader' });
  return picked?.label as GraderKind | undefined;
}

async function pickBaseline(specs: StrategySpec[], config: SmoaConfig, allOutputs: boolean): Promise<string | undefined> {
  // Each task's own reference output first when every task has one (AlpacaEval's metric).
  const names = [...new Set([...(allOutputs ? [REFERENCE_BASELINE] : []), ...specs.map((s) => s.label), ...strategySpecNames(config)])];
  const picked = await vscode.window.showQuickPick(names.map((label) => ({ label })), { title: 'SMoA evaluation: baseline for the pairwise grader' });
  return picked?.label;
}
