import * as vscode from 'vscode';
import { describePlan } from '../host/consult';
import { abortSignalFor } from '../host/cancellation';
import { clip } from '../pipeline/format';
import { isStrategy } from '../pipeline/strategy/traits';
import type { ExtensionServices } from '../host/services';
import { consultTool, CONSULT_TOOL_NAME, promptOf, type ConsultToolInput } from './consult';

/** VS Code glue for the `smoa_consult` tool (the use case in src/host/consult.ts, the adapter in consult.ts). */

/** The question as the confirmation quotes it: enough to recognise, short enough to read. */
function excerpt(text: string, max = 300): string {
  return clip(text, max, { oneLine: true, ellipsis: true });
}

export function registerConsultTool(context: vscode.ExtensionContext, services: ExtensionServices): void {
  const deps = { runs: services.runs, resolveConfig: () => services.currentConfig() };
  const tool: vscode.LanguageModelTool<ConsultToolInput> = {
    async prepareInvocation({ input }) {
      const resolved = await services.currentConfig();
      const strategy = isStrategy(input.strategy) ? input.strategy : undefined;
      const plan = resolved.ok ? describePlan(resolved.config, strategy) : 'SMoA (its settings need fixing first)';
      const message = new vscode.MarkdownString();
      message.appendText(`Ask the SMoA ensemble: "${excerpt(promptOf(input))}"`);
      message.appendMarkdown('\n\n');
      // Confirmation matters here: one consultation makes several model calls, each billed by its endpoint.
      message.appendText(`${plan}. Every proposer, judge and aggregator call is a request to its endpoint.`);
      return {
        invocationMessage: `Consulting the SMoA ensemble (${plan})`,
        confirmationMessages: { title: 'Consult the SMoA ensemble?', message },
      };
    },
    async invoke({ input }, token) {
      const abort = abortSignalFor(token);
      try {
        const text = await consultTool(input, deps, abort.signal);
        return new vscode.LanguageModelToolResult([new vscode.LanguageModelTextPart(text)]);
      } finally {
        abort.dispose();
      }
    },
  };
  context.subscriptions.push(vscode.lm.registerTool(CONSULT_TOOL_NAME, tool));
}
