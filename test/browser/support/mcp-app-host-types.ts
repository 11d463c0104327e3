/** What the test's host page (mcp-app-host.mts) is started with and what it records. */

export interface HostStart {
  html: string;
  input: Record<string, unknown>;
  result?: unknown;
  cancelReason?: string;
  /** The host context (theme, style variables) as MCP Apps defines it. */
  context?: { theme?: 'light' | 'dark'; styles?: { variables?: Record<string, string> } };
}

export interface HostLog {
  initialized: boolean;
  sizes: { width?: number; height?: number }[];
  links: string[];
  messages: unknown[];
  errors: string[];
}

