import { COMMANDS } from './command-ids';

/**
 * A failure told the way a user can act on it: what went wrong, and buttons that lead to the fix. Chat shows it as
 * errorDetails plus buttons; commands show it as a notification with the same actions.
 */
export interface UserAction {
  title: string;
  command: string;
  arguments?: unknown[];
}

export interface UserProblem {
  message: string;
  actions: UserAction[];
}

export const actions = {
  openSettings: (setting = 'smoa'): UserAction => ({
    title: 'Open Settings',
    command: 'workbench.action.openSettings',
    arguments: [setting],
  }),
  setApiKey: (endpointId?: string): UserAction => ({
    title: 'Set API Key',
    command: COMMANDS.setApiKey.id,
    ...(endpointId ? { arguments: [endpointId] } : {}),
  }),
  configureModels: (): UserAction => ({ title: COMMANDS.configureModels.title, command: COMMANDS.configureModels.id }),
  showLog: (): UserAction => ({ title: COMMANDS.showLog.title, command: COMMANDS.showLog.id }),
};

/** Thrown where an API can only throw (e.g. RunService's getConfig); the problem travels with it. */
export class UserProblemError extends Error {
  constructor(readonly problem: UserProblem) {
    super(problem.message);
    this.name = 'UserProblemError';
  }
}
