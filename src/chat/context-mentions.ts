/**
 * Context the user asked for in words rather than through VS Code's pickers. Without Copilot (code-server, VSCodium)
 * VS Code offers no `#file` completion, so `#file:src/stats.ts` typed as the README shows arrives as plain text in the
 * prompt with no reference; and "explain this code" means the editor's selection even when nothing was attached.
 * Pure: the handler resolves what this finds through its ports.
 */

/** A `#file:<path>` or `#<path>` the prompt contains, with where it sits in the prompt. */
export interface FileMention {
  /** The text as typed, e.g. `#file:src/stats.ts`. */
  text: string;
  /** The workspace-relative path it names, e.g. `src/stats.ts`. */
  path: string;
  start: number;
  end: number;
}

// `#file:path` takes any path; a bare `#path` only one with a slash or an extension, so `#3` or `#todo` are not files.
const MENTION = /(^|[\s(["'`])#(file:)?([^\s,;:"'`()[\]{}<>]+)/g;

/**
 * The file mentions in `prompt` that VS Code did not resolve into a reference itself (a resolved one's text range lies
 * in `resolvedRanges`).
 */
export function unresolvedFileMentions(prompt: string, resolvedRanges: readonly (readonly [number, number])[] = []): FileMention[] {
  const found: FileMention[] = [];
  for (const m of prompt.matchAll(MENTION)) {
    const start = (m.index ?? 0) + m[1].length;
    // A sentence may end right after the path: "... in #file:src/a.ts."
    const path = m[3].replace(/[.!?]+$/, '');
    const explicit = m[2] !== undefined;
    if (!path || (!explicit && !/[/\\]|\.[A-Za-z0-9]+$/.test(path))) continue;
    const end = start + 1 + (explicit ? 5 : 0) + path.length;
    if (resolvedRanges.some(([s, e]) => s < end && start < e)) continue;
    if (found.some((f) => f.path === path)) continue;
    found.push({ text: prompt.slice(start, end), path, start, end });
  }
  return found;
}

/** Whether the prompt is about the code in front of the user ("explain this", "what does this function do?"). */
export function asksAboutSelection(prompt: string): boolean {
  return /\b(this|these|selected|selection|highlighted)\b/i.test(prompt);
}

/** A position in a text document, 0-based (what vscode.Position holds). */
interface Position {
  line: number;
  character: number;
}

/**
 * The lines a range covers as the user sees them, 1-based and inclusive. A range that ends at the start of a line
 * (whole lines selected with Shift+Down) does not include that line: VS Code's own attached selection and the editor's
 * selection must name the same lines, or the same code goes to the models twice.
 */
export function linesOf(range: { start: Position; end: Position }): { first: number; last: number } {
  const { start, end } = range;
  const last = end.character === 0 && end.line > start.line ? end.line - 1 : end.line;
  return { first: start.line + 1, last: last + 1 };
}
