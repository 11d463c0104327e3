import type { InsertMode } from '../host/settings';

/*
 * What "Insert into editor" puts in (setting `smoa.insert.mode`): `auto` (the default) inserts the whole answer into
 * Markdown, plain text or a new document, and only the code blocks into a code file, where the answer's prose and
 * fences would be errors (the prose is left out, not turned into comments); `whole` always inserts the whole answer;
 * `codeBlocks` always only the code.
 */

export interface InsertPlan {
  /** The text to insert; empty when a code file gets nothing (the answer has no code). */
  text: string;
  /** `code`: only code blocks (their count in `blocks`); `whole`: the answer as written; `nothing`: no code to insert. */
  what: 'whole' | 'code' | 'nothing';
  blocks: number;
}

/** Languages where the whole Markdown answer is at home. */
const PROSE_LANGUAGES = new Set(['markdown', 'plaintext', 'mdx', 'restructuredtext', 'asciidoc', 'latex', 'git-commit', 'scminput']);

/** Fence info words that name a VS Code language id other than themselves. */
const FENCE_ALIASES: Record<string, string[]> = {
  typescript: ['ts', 'typescript', 'mts', 'cts'],
  typescriptreact: ['tsx', 'typescriptreact'],
  javascript: ['js', 'javascript', 'mjs', 'cjs', 'node'],
  javascriptreact: ['jsx', 'javascriptreact'],
  python: ['py', 'python', 'python3'],
  shellscript: ['sh', 'bash', 'shell', 'zsh', 'shellscript'],
  csharp: ['cs', 'csharp', 'c#'],
  cpp: ['cpp', 'c++', 'cc', 'cxx', 'hpp'],
  go: ['go', 'golang'],
  rust: ['rs', 'rust'],
  ruby: ['rb', 'ruby'],
  powershell: ['ps1', 'powershell', 'pwsh'],
  yaml: ['yaml', 'yml'],
  dockerfile: ['dockerfile', 'docker'],
};

/** Decides what to insert into a document of `languageId` (undefined: a new Markdown document). */
export function planInsert(answer: string, mode: InsertMode, languageId?: string): InsertPlan {
  const prose = languageId === undefined || PROSE_LANGUAGES.has(languageId);
  if (mode === 'whole' || (mode === 'auto' && prose)) return { text: answer, what: 'whole', blocks: 0 };
  const blocks = fencedBlocks(answer);
  if (blocks.length === 0) {
    // `codeBlocks` was asked for explicitly: an answer without code is still worth inserting whole.
    return mode === 'codeBlocks' ? { text: answer, what: 'whole', blocks: 0 } : { text: '', what: 'nothing', blocks: 0 };
  }
  // An answer with a shell command and a TypeScript function, inserted into a .ts file: only the TypeScript.
  const names = languageId ? (FENCE_ALIASES[languageId] ?? [languageId]) : [];
  const matching = blocks.filter((b) => names.includes(b.lang));
  const chosen = matching.length > 0 ? matching : blocks;
  return { text: chosen.map((b) => b.code).join('\n\n'), what: 'code', blocks: chosen.length };
}

/** The whole answer, or only its code (kept for callers that know no document language). */
export function textToInsert(answer: string, mode: 'whole' | 'codeBlocks'): string {
  return planInsert(answer, mode).text;
}

/** Contents of the fenced code blocks (``` or ~~~, any info string), in order; an unclosed last fence runs to the end. */
export function codeBlocks(markdown: string): string[] {
  return fencedBlocks(markdown).map((b) => b.code);
}

/** Fenced code blocks with the first word of their info string, lower-cased (`lang` is '' when there is none). */
function fencedBlocks(markdown: string): { lang: string; code: string }[] {
  const blocks: { lang: string; code: string }[] = [];
  let fence: string | undefined;
  let lang = '';
  let current: string[] = [];
  for (const line of markdown.split(/\r?\n/)) {
    const match = /^ {0,3}(`{3,}|~{3,})\s*([^\s`]*)/.exec(line);
    if (fence === undefined) {
      if (match) {
        fence = match[1];
        lang = (match[2] ?? '').toLowerCase();
        current = [];
      }
    } else if (match && match[1][0] === fence[0] && match[1].length >= fence.length && line.trim() === match[1]) {
      blocks.push({ lang, code: current.join('\n') });
      fence = undefined;
    } else {
      current.push(line);
    }
  }
  if (fence !== undefined && current.length > 0) blocks.push({ lang, code: current.join('\n') });
  return blocks;
}

/**
 * The insert command's argument: a run id (chat button), `{ runId }`, `{ text, label? }` (trace panel, a loaded trace
 * file: `label` says where the answer is from), or nothing (the run the trace panel shows, else the newest answer).
 */
export function insertTarget(arg: unknown): { runId?: string; text?: string; label?: string } {
  if (typeof arg === 'string') return { runId: arg };
  if (arg && typeof arg === 'object') {
    const { runId, text, label } = arg as { runId?: unknown; text?: unknown; label?: unknown };
    if (typeof text === 'string') return { text, ...(typeof label === 'string' ? { label } : {}) };
    if (typeof runId === 'string') return { runId };
  }
  return {};
}
