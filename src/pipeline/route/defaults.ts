/** The route strategy's tunables when unset (config.ts's schema defaults and the chooser read these). */
export const DEFAULT_ROUTE_SETTINGS = { costWeight: 0.1, maxProposers: 3, minSimilarity: 0.2 } as const;
