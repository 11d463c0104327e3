import { join } from 'node:path';
import { Client, type VersionNegotiationMode } from '@modelcontextprotocol/client';
import { StdioClientTransport } from '@modelcontextprotocol/client/stdio';

const root = join(__dirname, '../../..');

/** `smoa mcp` (from source, with `config`) behind the official SDK client, negotiating as `mode` says. */
export async function openMcpClient(config: string, mode: VersionNegotiationMode = 'auto'): Promise<Client> {
  const client = new Client({ name: 'smoa-test', version: '1.0.0' }, { versionNegotiation: { mode } });
  await client.connect(
    new StdioClientTransport({
      command: process.execPath,
      args: ['--import', 'tsx', join(root, 'src/cli.ts'), 'mcp', '--config', config],
      cwd: root,
      env: { ...(process.env as Record<string, string>), SMOA_MCP_TEST_KEY: 'test-key' },
      stderr: 'pipe',
    }),
  );
  return client;
}
