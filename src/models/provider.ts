import * as vscode from 'vscode';
import { abortSignalFor } from '../host/cancellation';
import type { ExtensionServices } from '../host/services';
import { AgentExchanges } from './agent-exchanges';
import { streamEndpointChat } from './endpoint-chat';
import { answerWithEnsemble } from './ensemble-model';
import {
  countTokens,
  endpointModelInformation,
  endpointModels,
  ensembleInformation,
  ENSEMBLE_MODEL_ID,
  type ModelInformation,
} from './model-catalog';
import { PROVIDER_VENDOR } from '../host/command-ids';

/**
 * VS Code glue for the `smoa` vendor in the chat's model picker: the configured endpoint models (a user without
 * Copilot chats with their own endpoints) and the SMoA ensemble. The logic lives in the pure modules it calls.
 */

const MODEL_VENDOR = PROVIDER_VENDOR;

/** Secrets under this prefix are endpoint keys (host/api-keys.ts). */
const API_KEY_SECRET_PREFIX = 'smoa.apiKey.';

class SmoaModelProvider implements vscode.LanguageModelChatProvider<ModelInformation>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeLanguageModelChatInformation = this.changed.event;
  private readonly subscriptions: vscode.Disposable[];
  /** The ensemble's agent tasks in this window: each run's trace shows what its task cost so far. */
  private readonly exchanges = new AgentExchanges();

  constructor(private readonly services: ExtensionServices) {
    this.subscriptions = [
      this.changed,
      services.settings.onDidChange(() => this.changed.fire()),
      services.secrets.onDidChange((e) => {
        if (e.key.startsWith(API_KEY_SECRET_PREFIX)) this.changed.fire();
      }),
    ];
  }

  provideLanguageModelChatInformation(): ModelInformation[] {
    const snapshot = this.services.settings.current;
    const config = !snapshot.auto && snapshot.result.ok ? snapshot.result.config : undefined;
    return [...endpointModels(snapshot.input).map(endpointModelInformation), ensembleInformation(config)];
  }

  async provideLanguageModelChatResponse(
    model: ModelInformation,
    messages: readonly vscode.LanguageModelChatRequestMessage[],
    options: vscode.ProvideLanguageModelChatResponseOptions,
    progress: vscode.Progress<vscode.LanguageModelResponsePart>,
    token: vscode.CancellationToken,
  ): Promise<void> {
    const abort = abortSignalFor(token);
    const onText = (text: string) => progress.report(new vscode.LanguageModelTextPart(text));
    try {
      if (model.id === ENSEMBLE_MODEL_ID) {
        // The aggregator alone gets the tools; its calls come back here as the endpoint models' do.
        await answerWithEnsemble(messages, { runs: this.services.runs, resolveConfig: () => this.services.currentConfig(), exchanges: this.exchanges }, abort.signal, onText, {
          tools: options.tools ?? [],
          toolMode: options.toolMode,
          onToolCall: (call) => progress.report(new vscode.LanguageModelToolCallPart(call.callId, call.name, call.input)),
        });
        return;
      }
      const entry = endpointModels(this.services.settings.current.input).find((m) => m.model.id === model.id);
      if (!entry) {
        throw vscode.LanguageModelError.NotFound(`SMoA model "${model.id}" is no longer in the setting smoa.models (or its endpoint is gone).`);
      }
      await streamEndpointChat({
        ...entry,
        messages,
        tools: options.tools,
        toolMode: options.toolMode,
        modelOptions: options.modelOptions,
        pool: this.services.pool,
        signal: abort.signal,
        onText,
        onToolCall: (call) => progress.report(new vscode.LanguageModelToolCallPart(call.callId, call.name, call.input)),
      });
    } finally {
      abort.dispose();
    }
  }

  async provideTokenCount(_model: ModelInformation, text: string | vscode.LanguageModelChatRequestMessage): Promise<number> {
    return countTokens(text);
  }

  dispose(): void {
    for (const s of this.subscriptions) s.dispose();
  }
}

export function registerModelProvider(context: vscode.ExtensionContext, services: ExtensionServices): void {
  const provider = new SmoaModelProvider(services);
  context.subscriptions.push(provider, vscode.lm.registerLanguageModelChatProvider(MODEL_VENDOR, provider));
  // VS Code resolves a vendor's models only when someone asks for them: until then the chat's model picker (without
  // Copilot) offers nothing but "Sign in to use Copilot". Asking once makes the SMoA models appear there.
  void Promise.resolve(vscode.lm.selectChatModels({ vendor: MODEL_VENDOR })).catch(() => undefined);
}
