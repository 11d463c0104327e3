import * as vscode from 'vscode';
import { abortSignalFor } from '../host/cancellation';
import { clip } from '../pipeline/format';
import type { ExtensionServices } from '../host/services';
import { consult, CONSULT_TOOL_NAME, describePlan, validStrategy, type ConsultInput } from './consult';

/** VS Code glue for the `smoa_consult` tool (logic and input schema in consult.ts). */

/** The question as the confirmation quotes it: enough to recognise, short enough to read. */
function excerpt(text: string, max = 300): string {
  return clip(text, max, { oneLine: true, ellipsis: true });
}

export function registerConsultTool(context: vscode.ExtensionContext, services: ExtensionServices): void {
  const deps = { runs: services.runs, resolveConfig: () => services.currentConfig() };
  const tool: vscode.LanguageModelTool<ConsultInput> = {
    async prepareInvocation({ input }) {
      const resolved = await services.currentConfig();
      const plan = resolved.ok ? describePlan(resolved.config, validStrategy(input.strategy)) : 'SMoA (its settings need fixing first)';
      const message = new vscode.MarkdownString();
      message.appendText(`Ask the SMoA ensemble: "${excerpt(input.question ?? '')}"`);
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
        const text = await consult(input, deps, abort.signal);
        return new vscode.LanguageModelToolResult([new vscode.LanguageModelTextPart(text)]);
      } finally {
        abort.dispose();
      }
    },
  };
  context.subscriptions.push(vscode.lm.registerTool(CONSULT_TOOL_NAME, tool));
}
