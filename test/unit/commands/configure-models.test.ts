import assert from 'node:assert/strict';
import { createServer, type Server, type Socket } from 'node:net';
import { configureModels, type ConfigureDeps, type ConfigureUi, type PickItem } from '../../../src/commands/configure-flow';
import { findLocalServers, listEndpointModels, LOCAL_SERVERS, type FoundServer } from '../../../src/host/endpoint-discovery';
import { parseConfig } from '../../../src/pipeline/config';
import { startFakeServer, type FakeServer } from '../../server/fake-openai';

// "SMoA: Configure Models" step by step with a scripted UI; endpoints are the fake server on 127.0.0.1.

type Step =
  | { kind: 'pickOne'; title: string; placeHolder: string; items: PickItem<unknown>[] }
  | { kind: 'pickMany'; title: string; placeHolder: string; items: PickItem<unknown>[] }
  | { kind: 'input'; title: string; prompt: string; value?: string; password?: boolean; validate?: (v: string) => string | undefined };

/** Answers each step with the next scripted answer; `enter` takes the default (first item / checked items / value). */
class ScriptedUi implements ConfigureUi {
  readonly steps: Step[] = [];
  readonly messages: string[] = [];
  constructor(private readonly answers: ((step: Step) => unknown)[]) {}

  private answer(step: Step): unknown {
    this.steps.push(step);
    const next = this.answers.shift();
    if (!next) throw new Error(`no scripted answer for step "${step.title}"`);
    return next(step);
  }
  async pickOne<T>(title: string, placeHolder: string, items: PickItem<T>[]) {
    return this.answer({ kind: 'pickOne', title, placeHolder, items }) as T | undefined;
  }
  async pickMany<T>(title: string, placeHolder: string, items: PickItem<T>[]) {
    return this.answer({ kind: 'pickMany', title, placeHolder, items }) as T[] | undefined;
  }
  async input(options: { title: string; prompt: string; value?: string; password?: boolean; validate?: (v: string) => string | undefined }) {
    return this.answer({ kind: 'input', ...options }) as string | undefined;
  }
  info(message: string) {
    this.messages.push(`info: ${message}`);
  }
  warn(message: string) {
    this.messages.push(`warn: ${message}`);
  }
}

const enter = (step: Step): unknown => {
  if (step.kind === 'pickOne') return step.items[0].value;
  if (step.kind === 'pickMany') return step.items.filter((i) => i.picked).map((i) => i.value);
  return step.value;
};
const choose = (label: string | RegExp) => (step: Step) => {
  const items = step.kind === 'input' ? [] : step.items;
  const found = items.find((i) => (typeof label === 'string' ? i.label === label : label.test(i.label)));
  if (!found) throw new Error(`"${label}" is not offered in "${step.title}": ${items.map((i) => i.label).join(' | ')}`);
  return found.value;
};
/** Enter in a pickMany, plus the unchecked item labelled `label` (adds a slot). */
const checkedAnd = (label: string) => (step: Step) => {
  const items = step.kind === 'pickMany' ? step.items : [];
  const extra = items.find((i) => !i.picked && i.label === label);
  if (!extra) throw new Error(`no unchecked "${label}" in "${step.title}"`);
  return [...items.filter((i) => i.picked), extra].map((i) => i.value);
};
const chooseMany = (...labels: string[]) => (step: Step) => labels.map((l) => choose(l)(step));
const type = (text: string) => (step: Step) => {
  const problem = step.kind === 'input' ? step.validate?.(text) : 'not an input';
  if (problem) throw new Error(`"${text}" refused in "${step.title}": ${problem}`);
  return text;
};

function deps(settings: Record<string, unknown>, overrides: Partial<ConfigureDeps> = {}) {
  const written: [string, unknown][][] = [];
  const keys: [string, string][] = [];
  const d: ConfigureDeps = {
    settings,
    vscodeModels: async () => [],
    findLocalServers: async () => [],
    listModels: (url, key) => listEndpointModels(url, key),
    storeKey: async (id, key) => void keys.push([id, key]),
    write: async (changes) => void written.push(changes),
    ...overrides,
  };
  return { d, written, keys };
}

const existing = {
  endpoints: [{ id: 'local', baseURL: 'http://127.0.0.1:9/v1' }],
  models: [
    { id: 'a', endpoint: 'local', model: 'model-a' },
    { id: 'b', endpoint: 'local', model: 'model-b' },
    { id: 'c', endpoint: 'local', model: 'model-c' },
  ],
  proposers: ['a', 'b', 'a', 'b'],
  aggregator: 'c',
  judge: 'b',
  topK: 2,
};

describe('"SMoA: Configure Models"', () => {
  let server: FakeServer;
  before(async () => {
    server = await startFakeServer({ apiKey: 'sk-fake-key-123' });
  });
  after(() => server.close());

  it('starts from the current settings: Enter at every step changes nothing and writes nothing', async () => {
    const { d, written } = deps(existing);
    const ui = new ScriptedUi([enter, enter, enter, enter]);
    assert.equal(await configureModels(ui, d), 'unchanged');
    assert.deepEqual(written, []);
    const [source, proposers, aggregator, judge] = ui.steps as Extract<Step, { items: unknown }>[];
    assert.deepEqual(source.items.map((i) => i.label), ['$(list-selection) Choose from the 3 models available now', '$(add) Add an OpenAI-compatible endpoint…']);
    // The slots as the setting has them, each checked (not "2 Selected" for a, b, a, b), then every model to add a slot.
    assert.deepEqual(proposers.items.filter((i) => i.picked).map((i) => i.label), ['a', 'b', 'a', 'b']);
    assert.deepEqual(proposers.items.filter((i) => !i.picked).map((i) => i.label), ['a', 'b', 'c']);
    assert.match(proposers.placeHolder, /Enter keeps a, b, a, b/);
    assert.equal(aggregator.items[0].label, 'c');
    assert.match(aggregator.items[0].description ?? '', /\(current\)$/);
    assert.equal(judge.items[0].label, 'b');
    assert.deepEqual(ui.messages, ['info: SMoA: nothing changed; the settings stay as they were.']);
  });

  it('keeps a model listed twice, and writes only after the user confirms the summary', async () => {
    const { d, written } = deps(existing);
    // Adds c as a proposer; a and b keep their two slots each. Cancel at the confirmation first.
    const cancel = new ScriptedUi([enter, checkedAnd('c'), enter, enter, choose('$(close) Cancel')]);
    assert.equal(await configureModels(cancel, d), 'cancelled');
    assert.deepEqual(written, []);
    const confirm = cancel.steps.at(-1) as Extract<Step, { kind: 'pickOne' }>;
    assert.equal(confirm.items[0].detail, 'smoa.proposers: a, b, a, b → a, b, a, b, c');

    const save = new ScriptedUi([enter, checkedAnd('c'), enter, choose('$(arrow-up) Same as the aggregator'), enter]);
    assert.equal(await configureModels(save, d), 'saved');
    // "Same as the aggregator" removes smoa.judge (undefined), never writes an empty string.
    assert.deepEqual(written, [[['judge', undefined], ['proposers', ['a', 'b', 'a', 'b', 'c']]]]);
  });

  it('drops one slot of a repeated model and adds a slot of a model already in the panel', async () => {
    const { d, written } = deps(existing);
    const ui = new ScriptedUi([
      enter,
      (step) => {
        const items = (step as Extract<Step, { kind: 'pickMany' }>).items;
        // Uncheck slot 3 (the second a), add another b.
        return [items[0], items[1], items[3], items.find((i) => !i.picked && i.label === 'b')!].map((i) => i.value);
      },
      enter,
      enter,
      enter,
    ]);
    assert.equal(await configureModels(ui, d), 'saved');
    assert.deepEqual(written, [[['proposers', ['a', 'b', 'b', 'b']]]]);
  });

  it('with no models at all, adds an endpoint (URL, name, key), lists its /models and picks the panel', async () => {
    const { d, written, keys } = deps({ endpoints: [], models: [], proposers: [], aggregator: '', judge: '', topK: 2 });
    const ui = new ScriptedUi([
      choose('$(add) Add an OpenAI-compatible endpoint…'),
      type(server.url),
      enter, // the suggested name
      type('sk-fake-key-123'),
      chooseMany('model-a', 'model-b'),
      choose('model-c'),
      enter, // judge: same as the aggregator
      choose('$(check) Save'),
    ]);
    assert.equal(await configureModels(ui, d), 'saved');
    assert.match((ui.steps[0] as { placeHolder: string }).placeHolder, /No models yet/);
    assert.equal((ui.steps[2] as { value?: string }).value, 'local');
    assert.equal((ui.steps[3] as { password?: boolean }).password, true);
    // The key goes to secret storage only, after the confirmation; the settings never hold it.
    assert.deepEqual(keys, [['local', 'sk-fake-key-123']]);
    const changes = Object.fromEntries(written[0]);
    assert.doesNotMatch(JSON.stringify(changes), /sk-fake/);
    assert.deepEqual(changes.endpoints, [{ id: 'local', baseURL: server.url }]);
    assert.deepEqual(changes.proposers, ['model-a', 'model-b']);
    assert.equal(changes.aggregator, 'model-c');
    const parsed = parseConfig({ ...changes, topK: 2 });
    assert.ok(parsed.ok, JSON.stringify(parsed));
  });

  it('says why an endpoint\'s models cannot be listed (wrong key) and asks again, without echoing the key', async () => {
    const { d, written } = deps({ endpoints: [], models: [], proposers: [] });
    const ui = new ScriptedUi([choose(/Add an OpenAI-compatible endpoint/), type(server.url), type('fake'), type('sk-wrong-key-999'), () => undefined]);
    assert.equal(await configureModels(ui, d), 'cancelled');
    assert.equal(ui.messages.length, 1);
    assert.match(ui.messages[0], /^warn: SMoA: could not list the models of .*HTTP 401 \(check the API key\)/);
    assert.doesNotMatch(ui.messages[0], /sk-wrong/);
    assert.deepEqual(written, []);
  });

  it('offers a local server it found, and adds it as an endpoint with its models', async () => {
    const found: FoundServer = { name: 'Ollama', id: 'ollama', baseURL: server.url, models: ['llama3', 'qwen'] };
    const { d, written } = deps({ endpoints: [], models: [], proposers: [] }, { findLocalServers: async () => [found] });
    const ui = new ScriptedUi([choose(`$(server) Ollama at ${server.url}`), chooseMany('llama3', 'qwen'), enter, enter, enter]);
    assert.equal(await configureModels(ui, d), 'saved');
    assert.deepEqual(Object.fromEntries(written[0]).models, [
      { id: 'llama3', endpoint: 'ollama', model: 'llama3' },
      { id: 'qwen', endpoint: 'ollama', model: 'qwen' },
    ]);
  });
});

describe('finding local servers', () => {
  let server: FakeServer;
  let silent: Server;
  const sockets: Socket[] = [];
  before(async () => {
    server = await startFakeServer();
    // Accepts connections and never answers: a probe must give up on it quickly.
    silent = createServer((socket) => sockets.push(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  });
  after(async () => {
    for (const s of sockets) s.destroy();
    silent.close();
    await server.close();
  });

  it('finds the one that answers /models on 127.0.0.1, and does not hang on a port that never answers', async () => {
    const silentPort = (silent.address() as { port: number }).port;
    const started = Date.now();
    const found = await findLocalServers(
      [
        { name: 'Fake', id: 'fake', baseURL: server.url },
        { name: 'Silent', id: 'silent', baseURL: `http://127.0.0.1:${silentPort}/v1` },
        { name: 'Refused', id: 'refused', baseURL: 'http://127.0.0.1:9/v1' },
        // Not loopback: never probed.
        { name: 'Elsewhere', id: 'elsewhere', baseURL: 'http://192.0.2.1:11434/v1' },
      ],
      300,
    );
    assert.deepEqual(found.map((f) => [f.id, f.models]), [['fake', ['model-a', 'model-b', 'model-c']]]);
    assert.ok(Date.now() - started < 2000, `probing took ${Date.now() - started} ms`);
  });

  it('probes only the usual ports on 127.0.0.1', () => {
    assert.deepEqual(LOCAL_SERVERS.map((s) => new URL(s.baseURL).host), ['127.0.0.1:11434', '127.0.0.1:1234', '127.0.0.1:8000']);
  });
});
