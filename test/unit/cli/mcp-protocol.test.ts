import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startMcpWire, writeMcpConfig, type McpWire, type WireMessage } from '../helpers/mcp-wire';

// `smoa mcp` by the book (JSON-RPC 2.0 as MCP uses it): raw lines in, raw lines out. A client that sends a malformed
// request must get exactly one error back, never silence (silence hangs it until its own timeout) and never a stack
// trace or a schema dump. No model is consulted here: every request below is refused before a run would start.

describe('smoa mcp: malformed input gets exactly one JSON-RPC error', function () {
  this.timeout(60_000);
  let wire: McpWire;

  before(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'smoa-mcp-wire-'));
    // An address nothing listens on: if any case below started a run, it would fail loudly instead of passing quietly.
    wire = startMcpWire(writeMcpConfig(dir, 'http://127.0.0.1:9/v1'));
    await wire.initialize();
  });
  after(async () => {
    await wire?.close();
    // Nothing but JSON-RPC 2.0 messages on stdout, ever.
    for (const line of wire.lines) {
      assert.ok(!('raw' in line), `stdout carries only JSON: ${JSON.stringify(line)}`);
      assert.equal((line as WireMessage).jsonrpc, '2.0', JSON.stringify(line));
    }
  });

  /** Sends one line and returns every response that answers it (by id), after letting the server settle. */
  async function answersTo(line: string | object, id: unknown): Promise<WireMessage[]> {
    const before = wire.lines.length;
    wire.send(line);
    // A ping sent afterwards is answered after the server handled the line; a second answer would still have to beat
    // the ping's, so we also wait briefly for stragglers.
    const pingId = `ping-${before}`;
    await wire.request(pingId, 'ping');
    await wire.quiet(150);
    return wire.lines.slice(before).filter((m): m is WireMessage => !('raw' in m) && 'id' in m && m.id === id && !m.method);
  }

  function assertOneError(answers: WireMessage[], code: number, message: RegExp): WireMessage {
    assert.equal(answers.length, 1, `exactly one answer: ${JSON.stringify(answers)}`);
    const [answer] = answers;
    assert.equal(answer.result, undefined, JSON.stringify(answer));
    assert.equal(answer.error?.code, code, JSON.stringify(answer));
    assert.match(answer.error.message, message);
    assert.doesNotMatch(answer.error.message, /\n/, 'the message is one line');
    return answer;
  }

  it('answers a line that is not JSON with -32700 (id null), and keeps serving', async () => {
    assertOneError(await answersTo('this is not json', null), -32700, /^Parse error/);
    assertOneError(await answersTo('{"jsonrpc":"2.0","id":41,"method":"tools/list"', null), -32700, /^Parse error/);
    const list = await wire.request(42, 'tools/list');
    assert.ok(list.result, JSON.stringify(list));
  });

  it('answers tools/call with params null or a string with -32600 (the client does not hang)', async () => {
    assertOneError(await answersTo({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: null }, 1), -32600, /^Invalid Request: params/);
    assertOneError(await answersTo({ jsonrpc: '2.0', id: 2, method: 'tools/call', params: 'consult' }, 2), -32600, /^Invalid Request: params/);
    assertOneError(await answersTo({ jsonrpc: '2.0', id: 3, method: 'tools/list', params: 3 }, 3), -32600, /^Invalid Request: params/);
  });

  it('answers other invalid requests with -32600: no jsonrpc, no method, a batch, an id that is not a string or number', async () => {
    assertOneError(await answersTo({ id: 10, method: 'ping' }, 10), -32600, /^Invalid Request: .*jsonrpc/);
    assertOneError(await answersTo({ jsonrpc: '2.0', id: 11 }, 11), -32600, /^Invalid Request/);
    assertOneError(await answersTo({ jsonrpc: '2.0', id: 12, method: 7 }, 12), -32600, /^Invalid Request: .*method/);
    assertOneError(await answersTo([{ jsonrpc: '2.0', id: 13, method: 'ping' }], null), -32600, /^Invalid Request: .*batch/);
    assertOneError(await answersTo({ jsonrpc: '2.0', id: { n: 1 }, method: 'ping' }, null), -32600, /^Invalid Request: .*id/);
    assertOneError(await answersTo('42', null), -32600, /^Invalid Request/);
  });

  it('answers wrongly typed params with -32602 and one line naming the field (no -32603, no schema dump)', async () => {
    const bad = assertOneError(await answersTo({ jsonrpc: '2.0', id: 20, method: 'tools/call', params: { name: 5 } }, 20), -32602, /name/);
    assert.doesNotMatch(bad.error!.message, /[[{]/, `no JSON in the message: ${bad.error!.message}`);
    assertOneError(await answersTo({ jsonrpc: '2.0', id: 21, method: 'tools/call', params: { arguments: { prompt: 'x' } } }, 21), -32602, /name/);
    // MCP's rule: an unknown tool is a protocol error, not a tool result.
    assertOneError(await answersTo({ jsonrpc: '2.0', id: 22, method: 'tools/call', params: { name: 'no-such-tool', arguments: {} } }, 22), -32602, /no-such-tool/);
  });

  it('reports wrong tool arguments as a tool error the calling model can read and correct', async () => {
    // MCP's rule for tools: argument validation failures are tool execution errors (isError), not protocol errors.
    const [answer] = await answersTo({ jsonrpc: '2.0', id: 30, method: 'tools/call', params: { name: 'consult', arguments: { prompt: 5 } } }, 30);
    const result = answer.result as { isError?: boolean; content: { text: string }[] };
    assert.equal(result.isError, true, JSON.stringify(answer));
    assert.match(result.content[0].text, /prompt/);
  });

  it('answers an unknown method with -32601', async () => {
    assertOneError(await answersTo({ jsonrpc: '2.0', id: 40, method: 'nope/nothing' }, 40), -32601, /not found/i);
  });

  it('ignores a malformed notification (nothing to answer) and keeps serving', async () => {
    const before = wire.lines.length;
    wire.send({ jsonrpc: '2.0', method: 'notifications/cancelled', params: 'x' });
    const pong = await wire.request(50, 'ping');
    assert.deepEqual(pong.result, {});
    assert.equal(wire.lines.length, before + 1, JSON.stringify(wire.lines.slice(before)));
  });
});
