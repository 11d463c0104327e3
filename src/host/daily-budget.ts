import { dailyBudgetVerdict, dayOf, type Clock, type DailyVerdict } from './ledger';
import type { RunOrigin } from './run-service';
import { INTERNAL_COMMANDS } from './command-ids';
import { actions, type UserProblem } from './user-problem';

export interface DailyBudgetDeps {
  /** Today's spend from the ledger. */
  todayUsd(): Promise<number>;
  /** `smoa.dailyBudgetUsd`, undefined when unset. */
  limit(): number | undefined;
  /** A notification that does not wait for an answer. */
  warn(message: string): void;
  /** A modal question; true means "run anyway". */
  confirm(message: string): Promise<boolean>;
  clock?: Clock;
}

export const RUN_OVER_DAILY_BUDGET_COMMAND = INTERNAL_COMMANDS.runOverDailyBudget;

/**
 * `smoa.dailyBudgetUsd`: from 80% of it a warning (once a day, not on every run); once reached, every run asks before
 * it starts. Chat cannot show a modal in the middle of a reply, so it asks with a button ("Run anyway") that allows
 * one run; other surfaces ask through RunService's admit hook. No vscode import: tested in plain Node.
 */
export class DailyBudgetGate {
  private allowedRuns = 0;
  private warnedOn: string | undefined;

  constructor(private readonly deps: DailyBudgetDeps) {}

  async verdict(): Promise<DailyVerdict> {
    return dailyBudgetVerdict(await this.deps.todayUsd(), this.deps.limit());
  }

  /** The user said "run anyway" (chat's button): the next run starts without asking. */
  allowOnce(): void {
    this.allowedRuns++;
  }

  /** RunService's admit hook. */
  async admit(origin: RunOrigin): Promise<UserProblem | undefined> {
    // Chat asked before it started the run (checkChat), with a button instead of a modal.
    if (origin === 'chat') return undefined;
    const verdict = await this.verdict();
    if (verdict.level === 'warn') this.warnOncePerDay(verdict.message);
    if (verdict.level !== 'confirm' || this.takeAllowance()) return undefined;
    if (await this.deps.confirm(verdict.message)) return undefined;
    return { message: 'Not started: the daily budget is reached (smoa.dailyBudgetUsd).', actions: [actions.openSettings('smoa.dailyBudgetUsd')] };
  }

  /** For chat: go on (with a warning line to show, maybe), or stop and offer the button. */
  async checkChat(): Promise<{ proceed: true; warning?: string } | { proceed: false; message: string }> {
    const verdict = await this.verdict();
    if (verdict.level === 'ok') return { proceed: true };
    if (verdict.level === 'warn') return { proceed: true, warning: verdict.message };
    return this.takeAllowance() ? { proceed: true, warning: verdict.message } : { proceed: false, message: verdict.message };
  }

  private takeAllowance(): boolean {
    if (this.allowedRuns === 0) return false;
    this.allowedRuns--;
    return true;
  }

  private warnOncePerDay(message: string): void {
    const today = dayOf((this.deps.clock ?? (() => new Date()))());
    if (this.warnedOn === today) return;
    this.warnedOn = today;
    this.deps.warn(message);
  }
}
