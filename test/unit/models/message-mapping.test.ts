import assert from 'node:assert/strict';
import { LM_ROLE, LM_TOOL_MODE, toChatMessages, toToolSpecs, type LmMessage } from '../../../src/models/message-mapping';
import { ToolCallAssembler } from '../../../src/pipeline/tool-calls';

// Plain objects shaped like vscode's parts: the mapping recognises parts by their fields, so these stand in for
// LanguageModelTextPart, LanguageModelToolCallPart and LanguageModelToolResultPart.
const text = (value: string) => ({ value });
const toolCall = (callId: string, name: string, input: object) => ({ callId, name, input });
const toolResult = (callId: string, ...content: unknown[]) => ({ callId, content });
const user = (...content: unknown[]): LmMessage => ({ role: LM_ROLE.user, content, name: undefined });
const assistant = (...content: unknown[]): LmMessage => ({ role: LM_ROLE.assistant, content, name: undefined });

describe('LM API messages to the engine\'s chat messages', () => {
  it('maps text turns without inventing a system message (the LM API has none)', () => {
    const out = toChatMessages([user(text('Hi '), text('there')), assistant(text('Hello!')), user(text('Explain closures'))]);
    assert.deepEqual(out, [
      { role: 'user', content: 'Hi there' },
      { role: 'assistant', content: 'Hello!' },
      { role: 'user', content: 'Explain closures' },
    ]);
  });

  it('turns an assistant tool call into the message\'s tool calls, with empty text when there is none', () => {
    const [msg] = toChatMessages([assistant(toolCall('call_1', 'readFile', { path: 'a.ts' }))]);
    assert.deepEqual(msg, { role: 'assistant', content: '', toolCalls: [{ callId: 'call_1', name: 'readFile', input: { path: 'a.ts' } }] });
  });

  it('keeps the assistant text next to its tool calls', () => {
    const [msg] = toChatMessages([assistant(text('Let me look.'), toolCall('c1', 'a', {}), toolCall('c2', 'b', { n: 1 }))]);
    assert.equal(msg.role, 'assistant');
    assert.equal(msg.content, 'Let me look.');
    assert.deepEqual(
      msg.toolCalls?.map((c) => [c.callId, c.name]),
      [['c1', 'a'], ['c2', 'b']],
    );
  });

  it('turns tool results in a user message into tool messages with their call id, before the user text', () => {
    const out = toChatMessages([user(toolResult('c1', text('file body')), toolResult('c2', text('a'), text('b')), text('Now fix it'))]);
    assert.deepEqual(out, [
      { role: 'tool', toolCallId: 'c1', content: 'file body' },
      { role: 'tool', toolCallId: 'c2', content: 'ab' },
      { role: 'user', content: 'Now fix it' },
    ]);
  });

  it('sends a user message made only of tool results as tool messages alone', () => {
    assert.deepEqual(toChatMessages([user(toolResult('c1', text('42')))]), [{ role: 'tool', toolCallId: 'c1', content: '42' }]);
  });

  it('writes non-text tool result parts (prompt-tsx trees) as JSON instead of dropping them', () => {
    const [msg] = toChatMessages([user(toolResult('c1', { value: { node: 'x' } }))]);
    assert.deepEqual(msg, { role: 'tool', toolCallId: 'c1', content: '{"node":"x"}' });
  });

  it('keeps a multi-turn tool conversation in order', () => {
    const out = toChatMessages([
      user(text('What is in a.ts?')),
      assistant(toolCall('c1', 'readFile', { path: 'a.ts' })),
      user(toolResult('c1', text('export const a = 1;'))),
      assistant(text('It exports a = 1.')),
      user(text('Thanks')),
    ]);
    assert.deepEqual(
      out.map((m) => m.role),
      ['user', 'assistant', 'tool', 'assistant', 'user'],
    );
  });

  it('maps a system message (sent by newer VS Code builds) to the system role, and ignores unknown parts', () => {
    const out = toChatMessages([{ role: LM_ROLE.system, content: [text('Be brief.')] }, user(text('Hi'), { mimeType: 'image/png', data: new Uint8Array() })]);
    assert.deepEqual(out, [
      { role: 'system', content: 'Be brief.' },
      { role: 'user', content: 'Hi' },
    ]);
  });
});

describe('LM API tools to OpenAI tools', () => {
  it('keeps each tool with its JSON schema, auto mode by default', () => {
    const schema = { type: 'object', properties: { q: { type: 'string' } }, required: ['q'] };
    const out = toToolSpecs([{ name: 'search', description: 'Searches', inputSchema: schema }, { name: 'now', description: 'Time' }], LM_TOOL_MODE.auto);
    assert.deepEqual(out, {
      tools: [
        { name: 'search', description: 'Searches', parameters: schema },
        { name: 'now', description: 'Time' },
      ],
      toolChoice: 'auto',
    });
  });

  it('maps Required mode to tool choice "required", and sends nothing without tools', () => {
    assert.equal(toToolSpecs([{ name: 't', description: '' }], LM_TOOL_MODE.required).toolChoice, 'required');
    assert.deepEqual(toToolSpecs([], LM_TOOL_MODE.required), {});
    assert.deepEqual(toToolSpecs(undefined, LM_TOOL_MODE.auto), {});
  });
});

describe('Tool call deltas', () => {
  it('accumulates fragments by index and parses the arguments once complete', () => {
    const calls = new ToolCallAssembler('model m');
    calls.add([{ index: 0, id: 'c0', function: { name: 'read', arguments: '' } }]);
    calls.add([{ index: 1, id: 'c1', function: { name: 'grep', arguments: '{"pat' } }]);
    calls.add([{ index: 0, function: { arguments: '{"path":' } }]);
    calls.add([{ index: 0, function: { arguments: '"a.ts"}' } }, { index: 1, function: { arguments: 'tern":"x"}' } }]);
    assert.deepEqual(calls.take(), [
      { callId: 'c0', name: 'read', input: { path: 'a.ts' } },
      { callId: 'c1', name: 'grep', input: { pattern: 'x' } },
    ]);
    assert.deepEqual(calls.take(), []);
  });

  it('treats empty arguments as no input and makes up an id when the server sends none', () => {
    const calls = new ToolCallAssembler('model m');
    calls.add([{ index: 0, function: { name: 'now' } }]);
    const [call] = calls.take();
    assert.deepEqual(call.input, {});
    assert.match(call.callId, /^call_0_/);
  });

  it('names the model and the tool when the arguments are not JSON', () => {
    const calls = new ToolCallAssembler('SMoA model "a"');
    calls.add([{ index: 0, id: 'c', function: { name: 'read', arguments: '{"path": ' } }]);
    assert.throws(() => calls.take(), /SMoA model "a" called tool "read" with arguments that are not valid JSON/);
  });
});
