import DOMPurify from 'dompurify';
import MarkdownIt from 'markdown-it';
import { escapeHtml, highlight } from './highlight';

/**
 * Model output is untrusted. It becomes DOM in two guarded steps: markdown-it with raw HTML off (tags in the
 * text stay text), then DOMPurify with a short allowlist. Links are rendered inert (text plus the target in a
 * tooltip) and images as their alt text, so nothing a model writes can navigate, load a resource or run code.
 */

const md = new MarkdownIt({
  html: false,
  linkify: false,
  typographer: false,
  highlight: (code, lang) => highlight(code, lang),
});

md.renderer.rules.image = (tokens, idx) => `<span class="md-image">[image: ${escapeHtml(tokens[idx].content || 'no description')}]</span>`;
md.renderer.rules.link_open = (tokens, idx) => {
  const href = tokens[idx].attrGet('href') ?? '';
  return `<span class="md-link" title="${escapeHtml(String(href))}">`;
};
md.renderer.rules.link_close = () => '</span>';

const ALLOWED_TAGS = [
  'p', 'br', 'hr', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'strong', 'em', 'del', 's', 'code', 'pre', 'blockquote',
  'ul', 'ol', 'li', 'table', 'thead', 'tbody', 'tr', 'th', 'td', 'span',
];
/** Classes our own renderers emit; anything else (e.g. a model naming one of the panel's classes) is dropped. */
const ALLOWED_CLASS = /^(hl-(kw|str|num|com)|md-(link|image)|language-[\w+#.-]{1,30})$/;

const purifier = DOMPurify(window);
purifier.addHook('uponSanitizeAttribute', (_node, data) => {
  if (data.attrName === 'class') {
    const kept = data.attrValue.split(/\s+/).filter((c) => ALLOWED_CLASS.test(c));
    if (kept.length) data.attrValue = kept.join(' ');
    else data.keepAttr = false;
  }
});

const CONFIG = {
  ALLOWED_TAGS,
  ALLOWED_ATTR: ['class', 'title'],
  ALLOW_DATA_ATTR: false,
  ALLOW_ARIA_ATTR: false,
  ALLOW_UNKNOWN_PROTOCOLS: false,
  RETURN_DOM_FRAGMENT: true as const,
};

/** Sanitized DOM for a markdown text. */
function renderMarkdown(text: string): DocumentFragment {
  return purifier.sanitize(md.render(text), CONFIG);
}

/** Replaces `el`'s content with the rendered markdown. */
export function setMarkdown(el: HTMLElement, text: string): void {
  el.replaceChildren(renderMarkdown(text));
}
