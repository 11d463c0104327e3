import { STRATEGY_TRAITS } from '../pipeline/strategy/traits';
import type { Trace } from '../pipeline/trace';

/**
 * What a dense MoA of the same shape (every proposer in every configured layer, each later layer reading all
 * n answers of the one before, no judge, no moderator, no early stop) would have spent on this request.
 * Derived from the run's own measured calls: prompt size without earlier answers from layer 1, answer length
 * from the proposers' average. It ignores per-message overhead and answer-length variation, so it is an
 * estimate and is labelled as one wherever it is shown.
 */
export interface DenseEstimate {
  proposers: number;
  layers: number;
  calls: number;
  promptTokens: number;
  completionTokens: number;
  /** Only when every model involved has a price. */
  usd?: number;
}

export function estimateDense(trace: Trace): DenseEstimate | undefined {
  const config = trace.config;
  // Only sparse runs (a judge keeping k: smoa, adaptive) have a dense counterpart worth showing.
  if (STRATEGY_TRAITS[trace.strategy]?.judge !== 'topK' || !config) return undefined;
  const proposals = trace.calls.filter((c) => c.stage === 'proposer' && c.status === 'done' && c.usage);
  const first = proposals.filter((c) => c.layer === 1);
  if (!first.length) return undefined;
  const n = config.proposers.length;
  const layers = config.layers;
  const p1 = avg(first.map((c) => c.usage!.promptTokens));
  const answer = avg(proposals.map((c) => c.usage!.completionTokens));
  const aggregator = trace.calls.find((c) => c.stage === 'aggregator' && c.status === 'done' && c.usage);
  const aggCompletion = aggregator?.usage?.completionTokens ?? answer;
  const withAnswers = p1 + n * answer;

  const proposerPrompt = n * p1 + (layers - 1) * n * withAnswers;
  const promptTokens = Math.round(proposerPrompt + withAnswers);
  const completionTokens = Math.round(layers * n * answer + aggCompletion);

  let usd: number | undefined = 0;
  for (const modelId of config.proposers) {
    const price = priceOf(trace, modelId);
    if (!price || usd === undefined) usd = undefined;
    else usd += (p1 + (layers - 1) * withAnswers) * price.in + layers * answer * price.out;
  }
  const aggPrice = priceOf(trace, config.aggregator);
  if (usd !== undefined && aggPrice) usd += withAnswers * aggPrice.in + aggCompletion * aggPrice.out;
  else usd = undefined;

  return { proposers: n, layers, calls: layers * n + 1, promptTokens, completionTokens, ...(usd !== undefined ? { usd } : {}) };
}

function priceOf(trace: Trace, modelId: string): { in: number; out: number } | undefined {
  const price = trace.config.models.find((m) => m.id === modelId)?.price;
  return price ? { in: price.inputPerMTok / 1e6, out: price.outputPerMTok / 1e6 } : undefined;
}

function avg(values: number[]): number {
  return values.reduce((a, b) => a + b, 0) / values.length;
}

