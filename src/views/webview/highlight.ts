/**
 * A small code highlighter: comments, strings, numbers and keywords for the languages models write most. It
 * escapes everything it emits and produces only `<span class="hl-…">`, which the sanitizer allows; a full
 * grammar library would cost more bundle than it adds to a glance at a proposal.
 */

const KEYWORDS: Record<string, string> = {
  js: 'async await break case catch class const continue default delete do else export extends false finally for from function if import in instanceof let new null of return static super switch this throw true try typeof undefined var void while yield',
  ts: 'abstract as declare enum implements interface keyof namespace private protected public readonly type unknown never any string number boolean',
  py: 'and as assert async await break class continue def del elif else except False finally for from global if import in is lambda None nonlocal not or pass raise return True try while with yield self',
  sh: 'if then else elif fi for in do done while case esac function return export local echo set',
  go: 'break case chan const continue default defer else fallthrough for func go goto if import interface map package range return select struct switch type var nil true false',
  rust: 'as async await break const continue crate else enum extern false fn for if impl in let loop match mod move mut pub ref return self Self static struct super trait true type unsafe use where while',
  c: 'auto break case char const continue default do double else enum extern float for goto if int long register return short signed sizeof static struct switch typedef union unsigned void volatile while class public private protected new delete namespace template bool true false nullptr',
  sql: 'select from where and or not insert into values update set delete create table join left right inner outer on group by order having limit as distinct null is in like',
};
const ALIASES: Record<string, string> = {
  javascript: 'js', jsx: 'js', mjs: 'js', typescript: 'ts', tsx: 'ts', python: 'py', bash: 'sh', shell: 'sh', zsh: 'sh',
  golang: 'go', rs: 'rust', cpp: 'c', 'c++': 'c', h: 'c', java: 'c', cs: 'c', csharp: 'c',
};

const keywordSets = new Map<string, Set<string>>();
function keywordsFor(lang: string): Set<string> | undefined {
  const key = ALIASES[lang] ?? lang;
  if (!KEYWORDS[key]) return undefined;
  let set = keywordSets.get(key);
  if (!set) {
    const words = key === 'ts' ? `${KEYWORDS.js} ${KEYWORDS.ts}` : KEYWORDS[key];
    set = new Set(words.split(' ').map((w) => (key === 'sql' ? w.toLowerCase() : w)));
    keywordSets.set(key, set);
  }
  return set;
}

const HASH_COMMENTS = new Set(['py', 'sh']);
const TOKEN =
  /(\/\/[^\n]*|\/\*[\s\S]*?\*\/|--[^\n]*)|(#[^\n]*)|("(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'|`(?:[^`\\]|\\.)*`)|(\b\d[\d_]*(?:\.\d+)?(?:e[+-]?\d+)?\b)|([A-Za-z_$][\w$]*)/g;

export function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

/** Highlighted, escaped HTML for `code`; plain escaped text for languages it does not know. */
export function highlight(code: string, lang: string): string {
  const name = lang.trim().toLowerCase();
  const keywords = keywordsFor(name);
  if (!keywords) return escapeHtml(code);
  const canonical = ALIASES[name] ?? name;
  const hashComments = HASH_COMMENTS.has(canonical);
  const sql = canonical === 'sql';
  let out = '';
  let last = 0;
  for (const m of code.matchAll(TOKEN)) {
    const [text, slashComment, hashComment, str, num, word] = m;
    let cls: string | undefined;
    if (slashComment !== undefined) cls = slashComment.startsWith('--') && !sql ? undefined : 'hl-com';
    else if (hashComment !== undefined) cls = hashComments ? 'hl-com' : undefined;
    else if (str !== undefined) cls = 'hl-str';
    else if (num !== undefined) cls = 'hl-num';
    else if (word !== undefined) cls = keywords.has(sql ? word.toLowerCase() : word) ? 'hl-kw' : undefined;
    if (!cls) continue;
    out += escapeHtml(code.slice(last, m.index)) + `<span class="${cls}">${escapeHtml(text)}</span>`;
    last = m.index + text.length;
  }
  return out + escapeHtml(code.slice(last));
}
