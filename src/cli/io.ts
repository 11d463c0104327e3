import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { configWarnings, formatIssues, judgeModels, parseConfig, type SmoaConfig } from '../pipeline/config';
import type { RoleCache } from '../pipeline/roles/prompt';
import type { Trace } from '../pipeline/trace';
import { UsageError } from './args';
import { registerConfigSecrets } from './output-guard';
import { redactSecrets } from '../pipeline/secrets';

export function readConfigFile(path: string): SmoaConfig {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new UsageError(`--config: cannot read ${path} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new UsageError(`${path}: not valid JSON (${(err as Error).message})`);
  }
  const result = parseConfig(json);
  if (!result.ok) throw new UsageError(formatIssues(result.issues).split('\n').map((l) => `${path}: ${l}`).join('\n'));
  registerConfigSecrets(result.config.endpoints);
  for (const line of formatIssues(configWarnings(result.config)).split('\n')) if (line) process.stderr.write(`${path}: warning: ${line}\n`);
  return result.config;
}

/** Keys come from the environment: a missing one is a setup problem (exit 2), found before any request is sent. */
export function checkApiKeys(config: SmoaConfig, env: NodeJS.ProcessEnv = process.env): void {
  const used = new Set([...config.proposers, config.aggregator, ...judgeModels(config), config.moderator, config.roleModel]);
  const endpoints = new Set(config.models.filter((m) => used.has(m.id)).map((m) => m.endpoint));
  const missing = config.endpoints
    .map((e, i) => ({ e, i }))
    .filter(({ e }) => endpoints.has(e.id) && e.apiKeyEnv && !env[e.apiKeyEnv]);
  if (missing.length) {
    throw new UsageError(
      missing.map(({ e, i }) => `endpoints[${i}].apiKeyEnv: environment variable ${e.apiKeyEnv} is not set (endpoint "${e.id}")`).join('\n'),
    );
  }
}

export function readPromptsFile(path: string): string[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new UsageError(`--prompts: cannot read ${path} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  const prompts: string[] = [];
  text.split('\n').forEach((line, i) => {
    if (line.trim() === '') return;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      throw new UsageError(`${path}:${i + 1}: not valid JSON`);
    }
    const prompt = typeof value === 'string' ? value : (value as { prompt?: unknown })?.prompt;
    if (typeof prompt !== 'string' || prompt.trim() === '') throw new UsageError(`${path}:${i + 1}: expected {"prompt": "..."} or a JSON string`);
    prompts.push(prompt);
  });
  if (prompts.length === 0) throw new UsageError(`${path}: no prompts`);
  return prompts;
}

/** Written to a temporary file first, so an interrupted write never leaves half a trace. */
export function writeJsonFile(path: string, data: unknown): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, redactSecrets(JSON.stringify(data, null, 2)) + '\n');
  renameSync(tmp, path);
}

export function writeTrace(path: string, trace: Trace): void {
  writeJsonFile(path, trace);
}

/** Roles kept in a JSON file between CLI runs. */
export class FileRoleCache implements RoleCache {
  constructor(private readonly path: string) {}
  private read(): Record<string, string[]> {
    if (!existsSync(this.path)) return {};
    try {
      return JSON.parse(readFileSync(this.path, 'utf8')) as Record<string, string[]>;
    } catch {
      return {};
    }
  }
  get(key: string) {
    return this.read()[key];
  }
  set(key: string, roles: string[]) {
    writeJsonFile(this.path, { ...this.read(), [key]: roles });
  }
  delete(key: string) {
    const all = this.read();
    delete all[key];
    writeJsonFile(this.path, all);
  }
}
