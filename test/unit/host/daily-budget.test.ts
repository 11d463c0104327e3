import assert from 'node:assert/strict';
import { handleChatRequest } from '../../../src/chat/handler';
import { DailyBudgetGate } from '../../../src/host/daily-budget';
import { KeyValueLedgerStorage, Ledger } from '../../../src/host/ledger';
import { RunService } from '../../../src/host/run-service';
import { UserProblemError } from '../../../src/host/user-problem';
import { createClientFactory, EndpointPool } from '../../../src/pipeline/client-factory';
import type { SmoaConfig } from '../../../src/pipeline/config';
import { MemoryRoleCache } from '../../../src/pipeline/roles/prompt';
import type { FakeServer } from '../../../test/server/fake-openai';
import { RecordingStream, TestCancellation } from '../chat/recording-stream';
import { useFakeServer } from '../helpers/engine-harness';
import { testConfig } from '../helpers/config';
import { testRunService } from '../helpers/run-service';

class MapStore {
  private readonly map = new Map<string, unknown>();
  get<T>(key: string) {
    return this.map.get(key) as T | undefined;
  }
  async update(key: string, value: unknown) {
    this.map.set(key, value);
  }
}

describe('daily budget: a warning at 80%, a confirmation once reached', () => {
  const fake = useFakeServer();
  let server: FakeServer;
  let config: SmoaConfig;
  let ledger: Ledger;
  let warnings: string[];
  let questions: string[];
  let answer: boolean;
  let gate: DailyBudgetGate;
  let runs: RunService;
  const clock = () => new Date(2026, 10, 23, 12);

  beforeEach(() => {
    server = fake();
    const price = { inputPerMTok: 1_000, outputPerMTok: 1_000 };
    config = testConfig(server, {
      strategy: 'single',
      models: [{ id: 'a', endpoint: 'local', model: 'model-a', price }],
      proposers: ['a'],
      aggregator: 'a',
      judge: undefined,
    });
    ledger = new Ledger(new KeyValueLedgerStorage(new MapStore(), clock), clock);
    warnings = [];
    questions = [];
    answer = false;
    gate = new DailyBudgetGate({
      todayUsd: async () => (await ledger.today()).costUsd,
      limit: () => 1,
      warn: (m) => warnings.push(m),
      confirm: async (m) => {
        questions.push(m);
        return answer;
      },
      clock,
    });
    runs = testRunService(server, { config, admit: (origin) => gate.admit(origin) });
  });

  /** Spends `usd` today through the ledger, as a finished run would. */
  async function spend(usd: number) {
    await ledger.recordRun(config, [
      { t: 0, type: 'call-started', callId: 'c1', stage: 'aggregator', modelId: 'a', model: 'model-a' },
      { t: 1, type: 'call-done', callId: 'c1', text: 'x', usage: { promptTokens: 1, completionTokens: 1, estimated: false }, cost: usd, latencyMs: 1, attempts: 1 },
    ]);
  }

  it('below 80% nothing is said; from 80% one warning a day, and the run starts', async () => {
    await spend(0.5);
    await (await runs.start({ prompt: 'hi' }, { origin: 'panel' })).result;
    assert.deepEqual(warnings, []);
    await spend(0.35);
    await (await runs.start({ prompt: 'hi' }, { origin: 'panel' })).result;
    await (await runs.start({ prompt: 'hi' }, { origin: 'command' })).result;
    assert.equal(warnings.length, 1);
    assert.match(warnings[0], /85% of the daily budget of \$1\.00/);
    assert.deepEqual(questions, []);
    assert.equal(server.requests.length, 3);
  });

  it('once reached, a run asks first: "no" sends nothing and says why, "yes" runs', async () => {
    await spend(1.2);
    await assert.rejects(
      runs.start({ prompt: 'hi' }, { origin: 'panel' }),
      (err: unknown) => err instanceof UserProblemError && /daily budget is reached/.test(err.message) && err.problem.actions[0].arguments?.[0] === 'smoa.dailyBudgetUsd',
    );
    assert.equal(questions.length, 1);
    assert.match(questions[0], /\$1\.20\) has reached the daily budget of \$1\.00/);
    assert.equal(server.requests.length, 0);
    answer = true;
    const handle = await runs.start({ prompt: 'hi' }, { origin: 'panel' });
    assert.equal((await handle.result).status, 'ok');
    assert.equal(questions.length, 2, 'every run over the budget asks');
  });

  it('chat stops with the message and a "Run anyway" button; the button allows one run', async () => {
    await spend(1.2);
    const deps = {
      runs,
      roleCache: new MemoryRoleCache(),
      clientFor: (c: SmoaConfig) => createClientFactory(c, new EndpointPool()),
      resolveConfig: async () => ({ ok: true as const, config, auto: false }),
      readReference: async () => undefined,
      dailyBudget: gate,
    };
    const stream = new RecordingStream();
    const stopped = await handleChatRequest({ prompt: 'hi', references: [] }, [], stream, new TestCancellation(), deps);
    assert.equal(stopped.errorDetails, undefined);
    assert.match(stream.markdownText, /has reached the daily budget of \$1\.00 \(smoa\.dailyBudgetUsd\)\. Run anyway\?/);
    assert.deepEqual(stream.buttons, [{ title: 'Run anyway', command: 'smoa.runOverDailyBudget', arguments: ['hi', ''] }]);
    assert.equal(server.requests.length, 0);
    assert.deepEqual(questions, [], 'chat asks with its button, not a modal');

    gate.allowOnce();
    const again = new RecordingStream();
    const ran = await handleChatRequest({ prompt: 'hi', references: [] }, [], again, new TestCancellation(), deps);
    assert.ok(ran.metadata.answer);
    assert.match(again.progressLines[0], /has reached the daily budget/);
    assert.match(again.progressLines[1], /^Estimate: at most 1 call, /);
    assert.equal(server.requests.length, 1);
  });
});
