/** The run strategies; in its own file so the webview can list them without bundling the config schema. */
export const STRATEGIES = ['smoa', 'moa', 'single', 'rank'] as const;
export type Strategy = (typeof STRATEGIES)[number];
