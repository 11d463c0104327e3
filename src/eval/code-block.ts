/**
 * The code in a model's answer, for the code grader. Browser-safe and pure: which block is "the solution" is decided
 * here, running it is code-runner.ts's job.
 */

export type CodeLanguage = 'javascript' | 'typescript' | 'python';

const ALIASES: Record<string, CodeLanguage> = {
  javascript: 'javascript',
  js: 'javascript',
  node: 'javascript',
  mjs: 'javascript',
  cjs: 'javascript',
  typescript: 'typescript',
  ts: 'typescript',
  python: 'python',
  py: 'python',
  python3: 'python',
};

/** "js", "TypeScript", "py" -> the language's name; undefined for anything else. */
export function codeLanguage(name: string | undefined): CodeLanguage | undefined {
  return name ? ALIASES[name.trim().toLowerCase()] : undefined;
}

interface Block {
  tag: string;
  code: string;
}

function fencedBlocks(answer: string): Block[] {
  const blocks: Block[] = [];
  // An opening fence of 3+ backticks or tildes, its info string, and the same fence closing it (or the end of text).
  const fence = /^([ \t]*)(`{3,}|~{3,})[ \t]*([^\n`]*)\n([\s\S]*?)(?:^[ \t]*\2[`~]*[ \t]*$|(?![\s\S]))/gm;
  for (const m of answer.matchAll(fence)) blocks.push({ tag: m[3].trim().split(/\s+/)[0] ?? '', code: m[4].replace(/\n$/, '') });
  return blocks;
}

/**
 * The solution in an answer: among its fenced blocks in the task's language (or untagged ones), the first that
 * defines the entry point, else the longest; an answer without fences is taken as code as it is. JavaScript blocks
 * count for a TypeScript task (JavaScript is TypeScript).
 */
export function extractCode(answer: string, language: CodeLanguage, entryPoint?: string): string | undefined {
  const blocks = fencedBlocks(answer);
  if (blocks.length === 0) return answer.trim() ? answer.trim() : undefined;
  const fits = (b: Block) => {
    const lang = codeLanguage(b.tag);
    return b.tag === '' || lang === language || (language === 'typescript' && lang === 'javascript');
  };
  const candidates = blocks.filter(fits);
  if (candidates.length === 0) return undefined;
  const defines = entryPoint ? candidates.find((b) => definesName(b.code, entryPoint, language)) : undefined;
  return (defines ?? candidates.reduce((a, b) => (b.code.length > a.code.length ? b : a))).code;
}

function definesName(code: string, name: string, language: CodeLanguage): boolean {
  const n = name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return language === 'python'
    ? new RegExp(`^\\s*(async\\s+)?def\\s+${n}\\b|^\\s*${n}\\s*=`, 'm').test(code)
    : new RegExp(`\\bfunction\\s*\\*?\\s*${n}\\b|\\b(const|let|var)\\s+${n}\\b|\\bclass\\s+${n}\\b`).test(code);
}
