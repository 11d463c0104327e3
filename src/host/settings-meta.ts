/**
 * How each setting is presented in VS Code's Settings editor: descriptions, order, scope. Types, ranges, enums and
 * defaults are not here: scripts/generate-package.ts derives them from the zod schemas (src/pipeline/config.ts and
 * EXTENSION_SETTINGS below) and writes package.json; a unit test fails when the committed file differs.
 */
import { z } from 'zod';

export interface SettingMeta {
  markdownDescription?: string;
  description?: string;
  order?: number;
  scope?: 'application' | 'machine' | 'window' | 'resource';
  editPresentation?: 'multilineText' | 'singlelineText';
  enumDescriptions?: string[];
  /** Descriptions of an array's item properties (and one level below). */
  items?: Record<string, { description?: string; markdownDescription?: string; properties?: Record<string, { description?: string; markdownDescription?: string }> }>;
}

/** Settings only the extension reads (not part of the engine's config). */
export const EXTENSION_SETTINGS = {
  'insert.mode': z.enum(['auto', 'whole', 'codeBlocks']).default('auto'),
  dailyBudgetUsd: z.number().positive().optional(),
  'mcp.enabled': z.boolean().default(false),
};

export const SETTINGS_META: Record<string, SettingMeta> = {
  "strategy": {
    "markdownDescription": "How `@smoa` combines the models when no slash command says otherwise.",
    "order": 0
  },
  "endpoints": {
    "markdownDescription": "OpenAI-compatible endpoints (OpenAI, OpenRouter, vLLM, Ollama, llama.cpp, ...). Keys are never stored here: use **SMoA: Set API Key**, or name an environment variable in `apiKeyEnv`. User settings only, so a workspace cannot send your keys elsewhere.",
    "order": 10,
    "scope": "application",
    "items": {
      "id": {
        "description": "Name that models refer to (\"vscode\" is reserved)."
      },
      "baseURL": {
        "description": "e.g. https://api.openai.com/v1 or http://127.0.0.1:11434/v1"
      },
      "apiKeyEnv": {
        "description": "Environment variable with the key (SecretStorage is checked first)."
      },
      "maxConcurrency": {
        "description": "Requests in flight to this endpoint at once."
      },
      "timeoutMs": {
        "description": "Per-request timeout."
      },
      "maxRetries": {
        "description": "Retries on rate limits, 5xx and dropped connections."
      },
      "structuredOutputs": {
        "description": "How the judge asks for JSON: auto tries response_format and falls back to instructions."
      }
    }
  },
  "models": {
    "markdownDescription": "Models by id. `endpoint` is an id from `#smoa.endpoints#`, or `\"vscode\"` for a model VS Code offers (then `model` is `vendor/family`, e.g. `copilot/gpt-4o`, or a model id). With `#smoa.models#` and `#smoa.proposers#` both empty, `@smoa` uses the models VS Code offers with no set-up. **SMoA: Configure Models** fills these for you.",
    "order": 11,
    "items": {
      "id": {
        "description": "Name used in proposers, aggregator, judge and traces."
      },
      "endpoint": {
        "description": "Endpoint id, or \"vscode\"."
      },
      "model": {
        "description": "Model name the endpoint serves (for \"vscode\": vendor/family or a model id)."
      },
      "label": {},
      "temperature": {},
      "maxTokens": {},
      "price": {
        "description": "USD per million tokens, for the cost in summaries and traces.",
        "properties": {
          "inputPerMTok": {},
          "outputPerMTok": {}
        }
      },
      "toolCalling": {
        "markdownDescription": "Whether the endpoint does function calling for this model. The chat model picker uses it: Agent mode lists only models that call tools. Unset means yes."
      }
    }
  },
  "proposers": {
    "markdownDescription": "Model ids that answer in each layer, one per slot; an id may appear more than once.",
    "order": 1
  },
  "aggregator": {
    "markdownDescription": "Model id that writes the final answer (and, unless set, judges and writes roles)."
  },
  "judge": {
    "markdownDescription": "Model id that scores the answers of each layer (1-10) so the best `#smoa.topK#` are kept, or a list of model ids (a jury whose scores are combined by Borda count). Empty: the aggregator."
  },
  "judgeOrders": {
    "markdownDescription": "`2`: each judge scores the answers twice at the same time, the second time in reverse order, and the votes are combined (counters position bias; twice the judge tokens, about the same wall time)."
  },
  "judgeRecusal": {
    "markdownDescription": "A judge may not score answers written by its own model (it still sees them); when every answer is its own, it abstains. Counters self-preference when a judge also proposes."
  },
  "judgeReasons": {
    "markdownDescription": "The judge writes one short sentence on why the best answers are best, shown on the judge card. Off: scores only (fewer judge tokens)."
  },
  "judgeNotes": {
    "markdownDescription": "Notes the judge writes for the aggregator (agreements, contradictions, what only a dropped answer had). `brief`: one short point each; `full`: up to 3, 3 and 2 sentences (more judge tokens, more for the aggregator to reconcile); `off`: none (the aggregator sees only the kept answers). Only layers whose notes the aggregator may read are asked for them (the last; every layer with early stop or a budget).",
    "enumDescriptions": ["Up to 3 agreements, 3 contradictions and 2 points only a dropped answer had", "One short point each (default)", "No notes"]
  },
  "moderator": {
    "markdownDescription": "A separate model id that decides the early stop. Empty: the judge decides in the same call."
  },
  "roleModel": {
    "markdownDescription": "Model id that writes the proposers' roles. Empty: the aggregator."
  },
  "layers": {
    "markdownDescription": "Proposer layers before the final answer (the cap when `#smoa.earlyStop#` is on)."
  },
  "topK": {
    "markdownDescription": "Answers the judge keeps per layer (SMoA); at most the number of proposers."
  },
  "earlyStop": {
    "markdownDescription": "Let the moderator stop once the answers agree."
  },
  "roles": {
    "markdownDescription": "`\"auto\"`: a model writes one role per proposer (cached; `@smoa /roles` shows them). `\"off\"`: no roles. Or a list with one role per proposer."
  },
  "taskDescription": {
    "markdownDescription": "What the panel is for (e.g. \"TypeScript code review\"). Roles are written for it and reused; empty: written per question.",
    "editPresentation": "multilineText"
  },
  "systemPrompt": {
    "markdownDescription": "Instructions given to every proposer and the aggregator.",
    "editPresentation": "multilineText"
  },
  "temperature": {
    "markdownDescription": "Sampling temperature, unless a model sets its own."
  },
  "proposerMaxTokens": {
    "markdownDescription": "Caps each proposer answer; the aggregator is not capped. Empty: no cap."
  },
  "seed": {
    "markdownDescription": "Seed for the judge's shuffling of answers, so a run can be reproduced."
  },
  "agent.reconsult": {
    "markdownDescription": "How the **SMoA ensemble** model works in Agent mode once tools have answered. `final-only` costs about one aggregator call per tool step; `full` costs a whole run per step.",
    "enumDescriptions": [
      "After a tool result, the aggregator alone continues until it stops calling tools; then the panel reconsults once on its final answer.",
      "After a tool result, every turn is a full run of the panel (proposers, judge, aggregator)."
    ]
  },
  "budget.maxUsd": {
    "markdownDescription": "Per-run limit in USD. Before each stage the run adds what it spent to the stage's upper bound and does not start a stage that could pass this; the aggregator then answers from the answers kept so far. A stage whose model has no `maxTokens` or no `price` is never started under it. Empty: no limit."
  },
  "budget.maxTokens": {
    "markdownDescription": "Per-run limit in prompt + completion tokens, applied like `#smoa.budget.maxUsd#`. A stage whose model has no `maxTokens` is never started under it. Empty: no limit."
  },
  "route.file": {
    "markdownDescription": "The router file the `route` strategy learns from: written by **SMoA: Build Router from Evaluations** or `smoa route build --from <eval out folder>`. A relative path is read from the first workspace folder, `~/` from your home folder. Empty: `route` runs the fallback strategy and says so."
  },
  "route.costWeight": {
    "markdownDescription": "`route`: how much cost counts against expected score. Each model's value is its expected score (0..1) minus this times its cost relative to the dearest model. 0: quality alone."
  },
  "route.maxProposers": {
    "markdownDescription": "`route`: the most models it asks together (SMoA or adaptive over the top models), and the samples of Self-MoA."
  },
  "route.minSimilarity": {
    "markdownDescription": "`route`: how alike (0..1, BM25) an evaluated task must be to the prompt to count. A prompt with no such task runs the fallback strategy."
  },
  "route.fallback": {
    "markdownDescription": "`route`: the strategy for prompts like no evaluated task. Empty: `#smoa.strategy#` (SMoA when that is `route`)."
  },
  "dailyBudgetUsd": {
    "markdownDescription": "Daily spending limit in USD, read from the usage ledger (**SMoA: Show Usage**). From 80% SMoA warns; once reached, each run asks before it starts (in chat, a **Run anyway** button). Empty: no daily limit."
  },
  "mcp.enabled": {
    "markdownDescription": "Offer SMoA's MCP server (`smoa mcp`, tool `consult`) to VS Code's MCP support, so agents in this window can consult the panel over MCP. Off by default: VS Code then never asks to start it. Needs a panel of endpoint models (`#smoa.models#`). **SMoA: Enable MCP Server** turns it on and explains."
  },
  "insert.mode": {
    "markdownDescription": "What **Insert into editor** and **SMoA: Insert Last Answer** insert.",
    "enumDescriptions": [
      "The whole answer into Markdown, plain text or a new document; only the code blocks into a code file (those in the file's language when there are some; the prose is left out).",
      "Insert the whole answer (markdown).",
      "Insert only the code blocks of the answer (the whole answer when it has none)."
    ]
  },
  "selfModel": {
    "markdownDescription": "Self-MoA (`self`): the model id sampled in every proposer slot. Empty: the first of `#smoa.proposers#`."
  },
  "samples": {
    "markdownDescription": "Self-MoA (`self`): answers per layer. Empty: as many as `#smoa.proposers#`."
  },
  "selfWindow": {
    "markdownDescription": "Self-MoA-Seq: the aggregator folds this many answers at a time into a running synthesis (less than the samples), so many samples fit a small context window. Empty: all at once."
  },
  "adaptiveStart": {
    "markdownDescription": "Adaptive (`adaptive`): how many proposers answer first; the rest join only when these disagree. Empty: 2."
  },
};
