import { existsSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { GRADERS, REFERENCE_BASELINE, type GraderKind } from '../eval/kinds';
import { readTaskFile } from '../eval/task-file';
import { COMMANDS } from '../host/command-ids';
import type { ExtensionServices } from '../host/services';
import type { SmoaConfig } from '../pipeline/config';
import { describeStrategySpec, strategySpecNames } from '../pipeline/strategy/spec';
import { resultsFolderName, runEvaluationCommand, type EvaluationPort, type RunEvaluationArgs, type ShownResults } from './evaluation-flow';

/** The results view, handed in by extension.ts (commands do not import views). */
export interface EvaluationViews {
  showResults(results: ShownResults): void;
  /** Opens a saved results folder; throws with a message naming what is missing. */
  openResultsFolder(dir: string): void;
}

/**
 * "SMoA: Run Evaluation" (pickers and a cancellable progress notification around src/eval/evaluate.ts) and "SMoA:
 * Open Evaluation Results" (a folder written by the view's Save button or by `smoa eval --out`).
 */
export function registerEvaluation(context: vscode.ExtensionContext, services: ExtensionServices, views: EvaluationViews): void {
  const port = evaluationPort(context, services, views);
  context.subscriptions.push(
    vscode.commands.registerCommand(COMMANDS.runEvaluation.id, async (args?: RunEvaluationArgs) => {
      try {
        return await runEvaluationCommand(port, args);
      } catch (err) {
        port.showError(`SMoA evaluation: ${err instanceof Error ? err.message : String(err)}`);
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
        if (dir) views.openResultsFolder(dir);
      } catch (err) {
        port.showError(`SMoA evaluation: ${err instanceof Error ? err.message : String(err)}`);
      }
    }),
  );
}

function evaluationPort(context: vscode.ExtensionContext, services: ExtensionServices, views: EvaluationViews): EvaluationPort {
  return {
    currentConfig: async () => {
      const resolved = await services.currentConfig();
      return resolved.ok ? { ok: true, config: resolved.config } : { ok: false, message: resolved.problem.message };
    },
    clientFor: (config) => services.clientFor(config),
    roleCache: services.roleCache,
    recordRun: (config, events) => services.usage.recordRun(config, events),
    pickTaskFile: () => pickTaskFile(context),
    pickStrategies,
    pickGrader,
    pickBaseline,
    resultsFolder: (taskPath) => resultsFolderName(context.globalStorageUri.fsPath, taskPath),
    withProgress: async (title, run) =>
      await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title, cancellable: true }, async (progress, token) => {
        const controller = new AbortController();
        const sub = token.onCancellationRequested(() => controller.abort(new Error('cancelled')));
        let reported = 0;
        try {
          return await run((p) => {
            const finished = p.reused + p.done;
            const increment = p.total ? ((finished - reported) / p.total) * 100 : 0;
            reported = finished;
            progress.report({ increment, message: `${finished}/${p.total} runs${p.failed ? `, ${p.failed} failed` : ''}${p.etaMs !== undefined && finished < p.total ? `, about ${Math.ceil(p.etaMs / 1000)} s left` : ''}` });
          }, controller.signal);
        } finally {
          sub.dispose();
        }
      }),
    showError: (message) => void vscode.window.showErrorMessage(message),
    showWarning: (message) => void vscode.window.showWarningMessage(message),
    log: (message) => services.log.info(message),
    showResults: (results) => views.showResults(results),
  };
}

async function pickTaskFile(context: vscode.ExtensionContext): Promise<string | undefined> {
  type Item = vscode.QuickPickItem & { path?: string; browse?: boolean };
  const items: Item[] = [];
  const files = await vscode.workspace.findFiles('**/*.{jsonl,json}', '**/{node_modules,.git,dist,out}/**', 300);
  for (const uri of files.sort((a, b) => a.fsPath.localeCompare(b.fsPath))) {
    // Only files that read as tasks: checked from their content, so package.json and the like are not offered.
    const read = readTaskFile(uri.fsPath);
    if (read.ok) items.push({ label: vscode.workspace.asRelativePath(uri), description: `${read.tasks.length} tasks (${read.formats.join(', ')})`, path: uri.fsPath });
  }
  const about: Record<string, string> = { reasoning: 'exact answers', programming: 'open questions (rubric, pairwise)', 'code-tasks': 'code run against tests (pass@1)' };
  for (const name of ['reasoning', 'programming', 'code-tasks']) {
    const path = join(context.extensionPath, 'examples', 'eval', `${name}.jsonl`);
    if (existsSync(path)) items.push({ label: `Built-in: ${name}`, description: about[name], path });
  }
  items.push({ label: 'Browse…', browse: true });
  const picked = await vscode.window.showQuickPick(items, { title: 'SMoA evaluation (1/3): task file', placeHolder: 'JSON Lines tasks, GSM8K, MT-Bench, AlpacaEval, HumanEval or MBPP' });
  if (!picked) return undefined;
  if (!picked.browse) return picked.path;
  const [uri] = (await vscode.window.showOpenDialog({ title: 'Task file', canSelectMany: false, filters: { Tasks: ['jsonl', 'json'] } })) ?? [];
  return uri?.fsPath;
}

async function pickStrategies(config: SmoaConfig): Promise<string[] | undefined> {
  const defaults = new Set(['smoa', 'moa', 'single']);
  const items = strategySpecNames(config).map((name) => ({ label: name, picked: defaults.has(name), description: describeStrategySpec(name) }));
  const picked = await vscode.window.showQuickPick(items, { title: 'SMoA evaluation (2/3): strategies', canPickMany: true, placeHolder: 'Each one is a row of the results' });
  return picked?.length ? picked.map((p) => p.label) : undefined;
}

async function pickGrader(allReferenced: boolean): Promise<GraderKind | undefined> {
  const about: Record<GraderKind, string> = {
    exact: allReferenced ? "compare with each task's reference answer" : 'needs a reference on every task',
    rubric: 'a model scores six aspects 1-5',
    pairwise: 'a model compares each answer with a baseline, in both orders',
    tests: "run each answer's code with the task's tests (pass@1); needs tests on every task",
  };
  const items = GRADERS.filter((g) => g !== 'exact' || allReferenced).map((g) => ({ label: g, description: about[g] }));
  const picked = await vscode.window.showQuickPick(items, { title: 'SMoA evaluation (3/3): grader' });
  return picked?.label as GraderKind | undefined;
}

async function pickBaseline(strategies: string[], config: SmoaConfig): Promise<string | undefined> {
  // "reference": each task's own reference output (AlpacaEval's metric); the evaluation checks every task has one.
  const names = [...new Set([REFERENCE_BASELINE, ...strategies, ...strategySpecNames(config)])];
  const picked = await vscode.window.showQuickPick(names.map((label) => ({ label, ...(label === REFERENCE_BASELINE ? { description: "each task's reference output (AlpacaEval)" } : {}) })), { title: 'SMoA evaluation: baseline for the pairwise grader' });
  return picked?.label;
}
