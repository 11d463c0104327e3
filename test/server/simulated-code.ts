import { hash } from './schema-instance';

/**
 * The simulated models' answers to examples/eval/code-tasks.jsonl, so the sandbox's evaluation with the tests grader
 * shows pass@1 that differs between models: each model solves a stable share of the tasks (its "skill", from its
 * name) and gives a wrong function of the right name for the rest. A fixture of the fake server, not of the product.
 */
const SOLUTIONS: Record<string, { language: 'javascript' | 'python'; code: string }> = {
  "clamp": {
    "language": "javascript",
    "code": "function clamp(value, min, max) {\n  return Math.min(max, Math.max(min, value));\n}"
  },
  "chunk": {
    "language": "javascript",
    "code": "function chunk(items, size) {\n  if (size < 1) throw new RangeError(\"size must be at least 1\");\n  const out = [];\n  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));\n  return out;\n}"
  },
  "isPalindrome": {
    "language": "javascript",
    "code": "function isPalindrome(text) {\n  const s = text.toLowerCase().replace(/[^a-z0-9]/g, \"\");\n  return s === [...s].reverse().join(\"\");\n}"
  },
  "wordCount": {
    "language": "javascript",
    "code": "function wordCount(text) {\n  const counts = {};\n  for (const w of text.toLowerCase().match(/[a-z0-9']+/g) ?? []) counts[w] = (counts[w] ?? 0) + 1;\n  return counts;\n}"
  },
  "toRoman": {
    "language": "javascript",
    "code": "function toRoman(n) {\n  const table = [[1000, \"M\"], [900, \"CM\"], [500, \"D\"], [400, \"CD\"], [100, \"C\"], [90, \"XC\"], [50, \"L\"], [40, \"XL\"], [10, \"X\"], [9, \"IX\"], [5, \"V\"], [4, \"IV\"], [1, \"I\"]];\n  let out = \"\";\n  for (const [v, s] of table) while (n >= v) { out += s; n -= v; }\n  return out;\n}"
  },
  "flatten": {
    "language": "javascript",
    "code": "function flatten(value) {\n  const out = [];\n  const walk = (v) => { for (const x of v) Array.isArray(x) ? walk(x) : out.push(x); };\n  walk(value);\n  return out;\n}"
  },
  "groupBy": {
    "language": "javascript",
    "code": "function groupBy(items, keyOf) {\n  const out = {};\n  for (const item of items) (out[keyOf(item)] ??= []).push(item);\n  return out;\n}"
  },
  "fizzBuzz": {
    "language": "javascript",
    "code": "function fizzBuzz(n) {\n  return Array.from({ length: n }, (_, i) => { const k = i + 1; return k % 15 === 0 ? \"FizzBuzz\" : k % 3 === 0 ? \"Fizz\" : k % 5 === 0 ? \"Buzz\" : String(k); });\n}"
  },
  "parseQuery": {
    "language": "javascript",
    "code": "function parseQuery(query) {\n  const out = {};\n  for (const part of query.replace(/^\\?/, \"\").split(\"&\")) {\n    if (!part) continue;\n    const [k, v = \"\"] = part.split(\"=\");\n    const key = decodeURIComponent(k.replace(/\\+/g, \" \"));\n    const value = decodeURIComponent(v.replace(/\\+/g, \" \"));\n    if (key in out) out[key] = [].concat(out[key], value); else out[key] = value;\n  }\n  return out;\n}"
  },
  "binarySearch": {
    "language": "javascript",
    "code": "function binarySearch(sorted, target) {\n  let lo = 0, hi = sorted.length - 1;\n  while (lo <= hi) {\n    const mid = (lo + hi) >> 1;\n    if (sorted[mid] === target) return mid;\n    if (sorted[mid] < target) lo = mid + 1; else hi = mid - 1;\n  }\n  return -1;\n}"
  },
  "camelCase": {
    "language": "javascript",
    "code": "function camelCase(text) {\n  const words = text.trim().split(/[\\s_-]+/).filter(Boolean).map((w) => w.toLowerCase());\n  return words.map((w, i) => (i === 0 ? w : w[0].toUpperCase() + w.slice(1))).join(\"\");\n}"
  },
  "deepEqual": {
    "language": "javascript",
    "code": "function deepEqual(a, b) {\n  if (a === b) return true;\n  if (typeof a !== \"object\" || typeof b !== \"object\" || a === null || b === null) return false;\n  if (Array.isArray(a) !== Array.isArray(b)) return false;\n  const ka = Object.keys(a), kb = Object.keys(b);\n  return ka.length === kb.length && ka.every((k) => Object.prototype.hasOwnProperty.call(b, k) && deepEqual(a[k], b[k]));\n}"
  },
  "memoize": {
    "language": "javascript",
    "code": "function memoize(fn) {\n  const cache = new Map();\n  return (x) => { if (!cache.has(x)) cache.set(x, fn(x)); return cache.get(x); };\n}"
  },
  "retry": {
    "language": "javascript",
    "code": "async function retry(task, attempts) {\n  let last;\n  for (let i = 0; i < attempts; i++) {\n    try { return await task(); } catch (err) { last = err; }\n  }\n  throw last;\n}"
  },
  "LruCache": {
    "language": "javascript",
    "code": "class LruCache {\n  constructor(capacity) { this.capacity = capacity; this.map = new Map(); }\n  get(key) {\n    if (!this.map.has(key)) return undefined;\n    const v = this.map.get(key); this.map.delete(key); this.map.set(key, v); return v;\n  }\n  set(key, value) {\n    this.map.delete(key); this.map.set(key, value);\n    if (this.map.size > this.capacity) this.map.delete(this.map.keys().next().value);\n  }\n}"
  },
  "mergeIntervals": {
    "language": "javascript",
    "code": "function mergeIntervals(intervals) {\n  const sorted = [...intervals].sort((a, b) => a[0] - b[0]);\n  const out = [];\n  for (const [s, e] of sorted) {\n    const last = out[out.length - 1];\n    if (last && s <= last[1]) last[1] = Math.max(last[1], e); else out.push([s, e]);\n  }\n  return out;\n}"
  },
  "formatBytes": {
    "language": "javascript",
    "code": "function formatBytes(n) {\n  if (n < 1024) return `${n} B`;\n  const units = [\"KiB\", \"MiB\", \"GiB\"];\n  let v = n / 1024, i = 0;\n  while (v >= 1024 && i < units.length - 1) { v /= 1024; i++; }\n  return `${v.toFixed(1)} ${units[i]}`;\n}"
  },
  "primes_below": {
    "language": "python",
    "code": "def primes_below(n):\n    sieve = [True] * max(n, 0)\n    out = []\n    for i in range(2, n):\n        if sieve[i]:\n            out.append(i)\n            for j in range(i * i, n, i):\n                sieve[j] = False\n    return out"
  },
  "balanced": {
    "language": "python",
    "code": "def balanced(text):\n    pairs = {\")\": \"(\", \"]\": \"[\", \"}\": \"{\"}\n    stack = []\n    for ch in text:\n        if ch in \"([{\":\n            stack.append(ch)\n        elif ch in pairs:\n            if not stack or stack.pop() != pairs[ch]:\n                return False\n    return not stack"
  },
  "run_length": {
    "language": "python",
    "code": "def run_length(text):\n    out = []\n    i = 0\n    while i < len(text):\n        j = i\n        while j < len(text) and text[j] == text[i]:\n            j += 1\n        out.append(f\"{j - i}{text[i]}\")\n        i = j\n    return \"\".join(out)"
  }
};

/** The reference solution of a shipped code task, by its entry point (for the task set's own test). */
export function referenceSolution(entryPoint: string): { language: 'javascript' | 'python'; code: string } | undefined {
  return SOLUTIONS[entryPoint];
}

/** A code block answering the shipped task whose entry point the prompt names first; undefined for other prompts. */
export function simulatedCodeAnswer(model: string, prompt: string): string | undefined {
  let entry: string | undefined;
  let at = Infinity;
  for (const name of Object.keys(SOLUTIONS)) {
    const i = prompt.search(new RegExp(`\\b(function|class) ${name}\\b`));
    if (i >= 0 && i < at) {
      at = i;
      entry = name;
    }
  }
  if (!entry) return undefined;
  const { language, code } = SOLUTIONS[entry];
  const skill = 4 + (hash(model) % 6); // out of 10
  const right = hash(`${model}:${entry}`) % 10 < skill;
  return `\`\`\`${language}\n${right ? code : wrongSolution(entry)}\n\`\`\``;
}

/** Code of the right name and shape that does nothing useful. */
export function wrongSolution(entryPoint: string): string {
  const { language, code } = SOLUTIONS[entryPoint];
  if (language === 'python') return `def ${entryPoint}(*args):\n    return None`;
  return /^class /.test(code) ? `class ${entryPoint} {\n  get() {}\n  set() {}\n}` : `function ${entryPoint}(...args) {\n  return undefined;\n}`;
}
