/**
 * The ids VS Code knows this extension by: its commands (with the titles the palette shows), the chat participant and
 * the language-model vendor. Every registration, button and message takes them from here; a unit test checks them
 * against package.json's contributes, so a renamed command cannot leave a dead button or a message naming nothing.
 */

export const COMMANDS = {
  setApiKey: { id: 'smoa.setApiKey', title: 'Set API Key' },
  configureModels: { id: 'smoa.configureModels', title: 'Configure Models' },
  insertLastAnswer: { id: 'smoa.insertLastAnswer', title: 'Insert Last Answer' },
  showLog: { id: 'smoa.showLog', title: 'Show Log' },
  openTracePanel: { id: 'smoa.openTracePanel', title: 'Open Trace Panel' },
  openTrace: { id: 'smoa.openTrace', title: 'Open Trace of Last Run' },
  runEvaluation: { id: 'smoa.runEvaluation', title: 'Run Evaluation' },
  openEvaluationResults: { id: 'smoa.openEvaluationResults', title: 'Open Evaluation Results' },
  buildRouter: { id: 'smoa.buildRouter', title: 'Build Router from Evaluations' },
  showUsage: { id: 'smoa.showUsage', title: 'Show Usage' },
  exportUsageCsv: { id: 'smoa.exportUsageCsv', title: 'Export Usage as CSV' },
  resetUsage: { id: 'smoa.resetUsage', title: 'Reset Usage' },
  enableMcpServer: { id: 'smoa.enableMcpServer', title: 'Enable MCP Server' },
} as const;

export type CommandName = keyof typeof COMMANDS;

/** Commands only links and buttons run; not contributed, so the palette does not list them. */
export const INTERNAL_COMMANDS = {
  /** Chat's "Run anyway" button once the daily budget is reached: allows one run and asks again. */
  runOverDailyBudget: 'smoa.runOverDailyBudget',
} as const;

/** The palette's category of every command. */
export const COMMAND_CATEGORY = 'SMoA';

/** How a message names a command so the user can find it in the palette: "SMoA: Set API Key". */
export function paletteName(name: CommandName): string {
  return `${COMMAND_CATEGORY}: ${COMMANDS[name].title}`;
}

/** `<publisher>.<name>` of the @smoa participant. */
export const PARTICIPANT_ID = 'smoa-dev.smoa';

/** The vendor of the "SMoA ensemble" chat model this extension provides. */
export const PROVIDER_VENDOR = 'smoa';
