import { appendFileSync, closeSync, existsSync, fstatSync, mkdirSync, openSync, readFileSync, readSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { LedgerEntry, LedgerStorage } from './ledger';

/**
 * A ledger file: JSON Lines, one line per run, day, endpoint, model and stage. The CLI's `--ledger FILE` and the
 * extension (one file in its global storage, shared by every window) both use it. Each run is one append of whole
 * lines, so concurrent writers (windows, CLI processes) never overwrite each other; readers sum the lines. A line torn
 * by a crash mid-write is skipped, and the next append starts on a line of its own, so the entry after it is kept.
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
        // A torn write leaves the start of a JSON object: skip it. Anything else is not a ledger file.
        if (!isEntry(entry)) {
          if (line.startsWith('{')) return undefined;
          throw new Error(`${this.path}:${n}: not a ledger line`);
        }
        return entry;
      })
      .filter((e): e is LedgerEntry => e !== undefined);
  }

  append(entries: LedgerEntry[]): void {
    if (entries.length === 0) return;
    mkdirSync(dirname(this.path), { recursive: true });
    // After a torn last line, start on a new line so this entry is not glued to it.
    const lead = endsWithoutNewline(this.path) ? '\n' : '';
    appendFileSync(this.path, lead + entries.map((e) => JSON.stringify(e)).join('\n') + '\n');
  }

  clear(): void {
    writeFileSync(this.path, '');
  }
}

function endsWithoutNewline(path: string): boolean {
  if (!existsSync(path)) return false;
  const fd = openSync(path, 'r');
  try {
    const size = fstatSync(fd).size;
    if (size === 0) return false;
    const last = Buffer.alloc(1);
    readSync(fd, last, 0, 1, size - 1);
    return last[0] !== 0x0a;
  } finally {
    closeSync(fd);
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
