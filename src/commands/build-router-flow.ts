import { buildRouterFromFolders, listResultsFolders, type ResultsFolder } from '../eval/route-sources';
import { describeRouter } from '../pipeline/route/router-file';

/** Arguments for running without the pickers (tests, keybindings). */
export interface BuildRouterArgs {
  from: string[];
  out: string;
}

/** What "SMoA: Build Router from Evaluations" needs from VS Code. Faked in unit tests. */
export interface BuildRouterPort {
  /** Where "SMoA: Run Evaluation" keeps its results folders (the extension's storage). */
  evaluationsRoot: string;
  /** The folders to learn from: the stored evaluations offered, others browsed for. Undefined: cancelled. */
  pickFolders(stored: ResultsFolder[]): Promise<string[] | undefined>;
  /** Where to write the router file. Undefined: cancelled. */
  pickTarget(): Promise<string | undefined>;
  writeFile(path: string, text: string): Promise<void>;
  /** Says what was written and offers to point `smoa.route.file` at it; true when the user took the offer. */
  offerToUse(path: string, summary: string): Promise<boolean>;
  useRouterFile(path: string): Promise<void>;
  showError(message: string): void;
  log(message: string): void;
}

/**
 * "SMoA: Build Router from Evaluations": the same reading and building as `smoa route build` (src/eval/route-sources.ts),
 * over the evaluations the user ran in VS Code or chose. Returns the router file's path, or undefined.
 */
export async function buildRouterCommand(port: BuildRouterPort, args?: BuildRouterArgs): Promise<string | undefined> {
  const from = args?.from ?? (await port.pickFolders(listResultsFolders(port.evaluationsRoot)));
  if (!from?.length) return undefined;
  const built = buildRouterFromFolders(from);
  if (!built.ok) {
    port.showError(`SMoA router: ${built.message}`);
    return undefined;
  }
  const out = args?.out ?? (await port.pickTarget());
  if (!out) return undefined;
  try {
    await port.writeFile(out, `${JSON.stringify(built.router, null, 2)}\n`);
  } catch (err) {
    port.showError(`SMoA router: cannot write ${out} (${err instanceof Error ? err.message : String(err)})`);
    return undefined;
  }
  for (const note of built.notes) port.log(`router: ${note}`);
  const summary = describeRouter(built.router);
  port.log(`router written to ${out}: ${summary}`);
  if (await port.offerToUse(out, summary)) await port.useRouterFile(out);
  return out;
}
