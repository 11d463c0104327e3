import { appendFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { LedgerEntry, LedgerStorage } from '../host/ledger';

/**
 * The CLI's ledger (`--ledger FILE`): JSON Lines, one line per run, day, endpoint, model and stage. Appending keeps
 * concurrent runs from overwriting each other; readers sum the lines.
 */
export class FileLedgerStorage implements LedgerStorage {
  constructor(private readonly path: string) {}

  load(): LedgerEntry[] {
    if (!existsSync(this.path)) return [];
    return readFileSync(this.path, 'utf8')
      .split('\n')
      .map((line, i) => ({ line: line.trim(), n: i + 1 }))
      .filter(({ line }) => line !== '')
      .map(({ line, n }) => {
        let entry: unknown;
        try {
          entry = JSON.parse(line);
        } catch {
          entry = undefined;
        }
        if (!isEntry(entry)) throw new Error(`${this.path}:${n}: not a ledger line`);
        return entry;
      });
  }

  append(entries: LedgerEntry[]): void {
    if (entries.length === 0) return;
    mkdirSync(dirname(this.path), { recursive: true });
    appendFileSync(this.path, entries.map((e) => JSON.stringify(e)).join('\n') + '\n');
  }

  clear(): void {
    writeFileSync(this.path, '');
  }
}

function isEntry(value: unknown): value is LedgerEntry {
  const e = value as Partial<LedgerEntry> | undefined;
  return (
    !!e &&
    typeof e.day === 'string' &&
    typeof e.model === 'string' &&
    typeof e.stage === 'string' &&
    typeof e.calls === 'number' &&
    typeof e.promptTokens === 'number' &&
    typeof e.completionTokens === 'number' &&
    typeof e.costUsd === 'number'
  );
}
