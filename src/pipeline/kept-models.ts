import type { Trace } from './trace';

/** Which models the judge kept, layer by layer: "layer 1: a, b; layer 2: b". */
export function keptModels(trace: Trace): string | undefined {
  const layers = trace.layers
    .filter((l) => l.kept && l.judge)
    .map((l) => {
      const names = (l.kept ?? []).map((slot) => l.proposers.find((p) => p.slot === slot)?.modelId ?? `slot ${slot + 1}`);
      return `layer ${l.layer}: ${names.join(', ')}`;
    });
  return layers.length ? layers.join('; ') : undefined;
}
