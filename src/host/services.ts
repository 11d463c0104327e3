import * as vscode from 'vscode';
import { createClientFactory, EndpointPool } from '../pipeline/client-factory';
import type { ChatClient } from '../pipeline/client';
import type { ModelConfig, SmoaConfig } from '../pipeline/config';
import { secretsThenEnv } from './api-keys';
import { logRun, redactingLog } from './call-log';
import { secrets as redactor } from '../pipeline/secrets';
import { resolveConfig, type ResolvedConfig } from './config-resolver';
import { MementoRoleCache } from './role-cache';
import { RouterFiles } from './router-file';
import { RunService } from './run-service';
import { SettingsService } from './settings';
import { UsageService } from './usage';
import { UserProblemError, type UserProblem } from './user-problem';
import type { VsCodeModelInfo } from './vscode-models';

/**
 * What every feature of the extension shares, created once in activate(): chat, commands, the trace panel and the
 * settings check all take this object. Features import the type only; they never create services of their own.
 */
export interface ExtensionServices {
  /** The one place runs start; keeps this window's runs for "Open trace" and "Insert Last Answer". */
  runs: RunService;
  /** The "SMoA" output channel: one line per model call, never a key. */
  log: vscode.LogOutputChannel;
  /** The `smoa.*` settings (current snapshot, onDidChange, insert mode). */
  settings: SettingsService;
  /** API keys, one per endpoint id (see host/api-keys.ts). */
  secrets: vscode.SecretStorage;
  roleCache: MementoRoleCache;
  /**
   * The config a run would use now; `chosen` is the chat's selected model (it aggregates when nothing is configured),
   * `overrides` replace settings before validation (the trace panel's own strategy, layers and top k).
   */
  currentConfig(chosen?: VsCodeModelInfo, overrides?: Record<string, unknown>): Promise<ResolvedConfig>;
  /** The window's one endpoint pool: runs and the model picker's pass-through share its caps and learned quirks. */
  pool: EndpointPool;
  /** Clients for a config's models: OpenAI-compatible endpoints and VS Code's own models. */
  clientFor(config: SmoaConfig): (model: ModelConfig) => ChatClient;
  /** The usage ledger, the daily budget and the status-bar item. */
  usage: UsageService;
}

/** What only the VS Code model adapters (src/models) know; extension.ts passes them in, so host never imports models. */
export interface VsCodeModelAccess {
  list(): Promise<VsCodeModelInfo[]>;
  client(model: ModelConfig): ChatClient;
}

export function createServices(context: vscode.ExtensionContext, vscodeModels: VsCodeModelAccess): ExtensionServices {
  // Keys in the extension host's environment are known before any request; the log masks them like every output.
  redactor.registerEnvironment(process.env);
  const log = redactingLog(vscode.window.createOutputChannel('SMoA', { log: true }));
  const settings = new SettingsService();
  // One pool for the window: endpoint concurrency caps hold across runs from chat and panel alike.
  const pool = new EndpointPool({ apiKey: secretsThenEnv(context.secrets) });
  const clientFor = (config: SmoaConfig) => createClientFactory(config, pool, (model) => vscodeModels.client(model));
  const currentConfig = (chosen?: VsCodeModelInfo, overrides?: Record<string, unknown>) =>
    resolveConfig({ settingsInput: () => settings.current.input, vscodeModels: () => vscodeModels.list() }, chosen, overrides);
  const roleCache = new MementoRoleCache(context.globalState);
  const routerFiles = new RouterFiles(() => vscode.workspace.workspaceFolders?.[0]?.uri.fsPath);
  const runs: RunService = new RunService({
    getConfig: async () => {
      const resolved = await currentConfig();
      if (!resolved.ok) throw new UserProblemError(resolved.problem);
      return resolved.config;
    },
    clientFor,
    roleCache,
    admit: (origin): Promise<UserProblem | undefined> => usage.gate.admit(origin),
    routerFor: (config) => routerFiles.load(config),
  });
  const usage: UsageService = new UsageService(context, runs);
  const stopLogging = runs.onDidStartRun((run) => {
    const unsubscribe = logRun(run, log);
    void run.result.finally(unsubscribe);
  });
  context.subscriptions.push(log, settings, usage, { dispose: stopLogging }, { dispose: () => runs.cancelAll() });
  return { runs, log, settings, secrets: context.secrets, roleCache, currentConfig, pool, clientFor, usage };
}
