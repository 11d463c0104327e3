/** What "Insert into editor" puts in: the whole answer, or only its code (setting `smoa.insert.mode`). */
export function textToInsert(answer: string, mode: 'whole' | 'codeBlocks'): string {
  if (mode === 'whole') return answer;
  const blocks = codeBlocks(answer);
  // An answer without code is still worth inserting whole rather than inserting nothing.
  return blocks.length > 0 ? blocks.join('\n\n') : answer;
}

/** Contents of the fenced code blocks (``` or ~~~, any info string), in order; an unclosed last fence runs to the end. */
export function codeBlocks(markdown: string): string[] {
  const blocks: string[] = [];
  let fence: string | undefined;
  let current: string[] = [];
  for (const line of markdown.split(/\r?\n/)) {
    const match = /^ {0,3}(`{3,}|~{3,})/.exec(line);
    if (fence === undefined) {
      if (match) {
        fence = match[1];
        current = [];
      }
    } else if (match && match[1][0] === fence[0] && match[1].length >= fence.length && line.trim() === match[1]) {
      blocks.push(current.join('\n'));
      fence = undefined;
    } else {
      current.push(line);
    }
  }
  if (fence !== undefined && current.length > 0) blocks.push(current.join('\n'));
  return blocks;
}

/** The insert command's argument: a run id (chat button), `{ runId }` or `{ text }` (trace panel), or nothing (last run). */
export function insertTarget(arg: unknown): { runId?: string; text?: string } {
  if (typeof arg === 'string') return { runId: arg };
  if (arg && typeof arg === 'object') {
    const { runId, text } = arg as { runId?: unknown; text?: unknown };
    if (typeof text === 'string') return { text };
    if (typeof runId === 'string') return { runId };
  }
  return {};
}
