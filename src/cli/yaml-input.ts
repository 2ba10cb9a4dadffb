/**
 * Reads the inputs of `cdk8s-gpu lint` (files, directories, `-` for stdin) into plain manifests that remember
 * where they came from (`file` and the 1-based line where the object starts).
 *
 * Nothing here throws on bad input: every problem (missing file, bad YAML, binary data, a document that is not a
 * Kubernetes object, …) becomes an {@link InputProblem} with file and line, and the other inputs are still read.
 *
 * YAML is read under the YAML 1.2 core schema (`yes`/`on` are strings, dates stay strings). For speed, documents
 * that are plainly Kubernetes objects are parsed with js-yaml; every other document (and every document js-yaml
 * cannot read) goes to the `yaml` package, whose messages, positions and alias limit are the reference — see
 * {@link parseManifests}.
 *
 * Not part of the jsii API (not exported from src/index.ts).
 */
import * as fs from 'fs';
import * as path from 'path';
import type { Document } from 'yaml';
import { yamlPackage } from '../private/lazy';
import { byCodeUnits } from '../private/order';
import { YamlSource } from '../schema/field-lines';
import { SourcedManifest } from '../validation/model';


/** How bad an input problem is: `error` makes `lint` exit 2, `warning` is only reported. */
export type InputSeverity = 'error' | 'warning';

/** A problem with an input: it could not be read, parsed, or holds something that is not a Kubernetes object. */
export interface InputProblem {
  /** The file (as named by the user or found in a directory), `<stdin>` for standard input. */
  readonly file: string;
  /** 1-based line, when known. */
  readonly line?: number;
  /** 1-based column, when known. */
  readonly column?: number;
  /** `error`: the input (or part of it) could not be checked; `warning`: something was skipped on purpose. */
  readonly severity: InputSeverity;
  /** What is wrong, one line. */
  readonly message: string;
}

/** What {@link readInputs} and the parse functions return. */
export interface ReadResult {
  /** Every Kubernetes object found, in input order (files sorted within a directory, documents in file order). */
  readonly manifests: SourcedManifest[];
  /** Every input problem, in input order. */
  readonly problems: InputProblem[];
  /** Files that were read (whether or not they held objects), in input order. */
  readonly files: string[];
}

/** Options of {@link readInputs}. */
export interface ReadOptions {
  /** Standard input, read when an input is `-`: a stream or its whole text. */
  readonly stdin?: NodeJS.ReadableStream | string;
  /** Files (and stdin) larger than this are reported and skipped. @default 64 MiB */
  readonly maxBytes?: number;
}

/** The name standard input gets in sources and problems. */
export const STDIN_NAME = '<stdin>';

/** Default size limit of one input. */
export const DEFAULT_MAX_BYTES = 64 * 1024 * 1024;

const YAML_EXTENSIONS = ['.yaml', '.yml'];
const MARKDOWN_EXTENSIONS = ['.md', '.markdown', '.txt'];

/** Whether a path names a Markdown/text file whose ```yaml fences are linted. */
export function isMarkdownPath(file: string): boolean {
  return MARKDOWN_EXTENSIONS.includes(path.extname(file).toLowerCase());
}

/** Whether a directory walk picks up this file name. */
function isYamlPath(file: string): boolean {
  return YAML_EXTENSIONS.includes(path.extname(file).toLowerCase());
}

/** A fenced YAML block of a Markdown document. */
export interface FencedBlock {
  /** The block's text, with the fence's indentation removed from each line. */
  readonly text: string;
  /** 1-based line (in the Markdown file) of the block's first content line. */
  readonly line: number;
  /** Columns removed from the start of each content line (the fence's indentation). */
  readonly indent: number;
  /** Whether the block ran to the end of the file without a closing fence. */
  readonly unclosed: boolean;
}

const FENCE_OPEN = /^( {0,3})(`{3,}|~{3,})(.*)$/;

/**
 * The ```yaml / ```yml (or ~~~yaml) fenced blocks of a Markdown text, with their true line numbers. Follows
 * CommonMark's fence rules: up to three spaces of indentation, a closing fence of the same character at least as
 * long as the opening one, and an unclosed fence running to the end of the document. The language is the first
 * word of the info string (```yaml title="x" counts), case-insensitive.
 */
export function extractFencedYaml(markdown: string): FencedBlock[] {
  const lines = markdown.split(/\r?\n/);
  const blocks: FencedBlock[] = [];
  let i = 0;
  while (i < lines.length) {
    const open = FENCE_OPEN.exec(lines[i]);
    if (!open) { i++; continue; }
    const indent = open[1].length;
    const fence = open[2];
    const info = open[3].trim();
    if (fence[0] === '`' && info.includes('`')) { i++; continue; } // inline code, not a fence
    // The language is the info string's first word (`yaml title="x"`, `{.yaml}` and `yaml{3}` all count).
    const lang = (/^[{.\s]*([A-Za-z0-9_+-]+)/.exec(info)?.[1] ?? '').toLowerCase();
    const closing = new RegExp(`^ {0,3}${fence[0] === '`' ? '`' : '~'}{${fence.length},}[ \\t]*$`);
    const body: string[] = [];
    let j = i + 1;
    while (j < lines.length && !closing.test(lines[j])) {
      // CommonMark: remove up to the opening fence's indentation from each content line.
      const line = lines[j];
      let k = 0;
      while (k < indent && line[k] === ' ') k++;
      body.push(line.slice(k));
      j++;
    }
    if (lang === 'yaml' || lang === 'yml') {
      blocks.push({ text: body.join('\n'), line: i + 2, indent, unclosed: j >= lines.length });
    }
    i = j + 1;
  }
  return blocks;
}

/** Options of {@link parseManifests}. */
export interface ParseOptions {
  /** Add this to every line (the text starts on line `lineOffset + 1` of `file`). @default 0 */
  readonly lineOffset?: number;
  /** Add this to every column. @default 0 */
  readonly columnOffset?: number;
  /**
   * Severity of documents that parse but are not Kubernetes objects (no kind/apiVersion, a scalar, a list).
   * Markdown snippets are often Helm values or fragments, so Markdown uses `warning`. @default 'error'
   */
  readonly notAnObject?: InputSeverity;
  /** Warn when the text holds no document at all (empty or comments only). Markdown blocks don't. @default true */
  readonly reportEmptyText?: boolean;
}

/** The first line of a `yaml` error message, without the position the library appends (we add our own). */
function yamlMessage(message: string): string {
  const first = String(message).split('\n')[0];
  return first.replace(/ at line \d+, column \d+:?\s*$/, '').trim();
}

/** How deep a document may nest (maps and lists); Kubernetes objects stay far below it. */
export const MAX_NESTING_DEPTH = 256;
const TOO_DEEP = `document is nested more than ${MAX_NESTING_DEPTH} levels deep; skipped`;

/** Whether a parsed value nests deeper than {@link MAX_NESTING_DEPTH} (iterative: never overflows the stack). */
function tooDeep(value: unknown): boolean {
  const stack: Array<[unknown, number]> = [[value, 0]];
  while (stack.length > 0) {
    const [v, depth] = stack.pop()!;
    if (typeof v !== 'object' || v === null) continue;
    if (depth >= MAX_NESTING_DEPTH) return true;
    for (const child of Array.isArray(v) ? v : Object.values(v)) if (typeof child === 'object' && child !== null) stack.push([child, depth + 1]);
  }
  return false;
}

function describeValue(v: unknown): string {
  if (Array.isArray(v)) return 'a list';
  if (v === null) return 'null';
  return `a ${typeof v} (${JSON.stringify(v)?.slice(0, 40)})`;
}

/**
 * The exact (and slow) reader, on the `yaml` package: parses one YAML text (possibly many `---` documents) into
 * manifests. `kind: List` (and any `*List` with `items`) is flattened, each item keeping its own line. Never throws.
 * {@link parseManifests} gives the same result faster; it uses this for every document it cannot read itself.
 */
export function parseManifestsWithYamlPackage(text: string, file: string, options: ParseOptions = {}): ReadResult {
  const lineOffset = options.lineOffset ?? 0;
  const colOffset = options.columnOffset ?? 0;
  const notAnObject = options.notAnObject ?? 'error';
  const manifests: SourcedManifest[] = [];
  const problems: InputProblem[] = [];
  const { isMap, isSeq, LineCounter, parseAllDocuments } = yamlPackage();
  const lc = new LineCounter();
  const pos = (offset: number | undefined) => {
    if (offset === undefined) return {};
    const p = lc.linePos(offset);
    return { line: p.line + lineOffset, column: p.col + colOffset };
  };
  const problem = (severity: InputSeverity, message: string, offset?: number) => {
    problems.push({ file, ...pos(offset), severity, message });
  };

  let docs: Document.Parsed[];
  try {
    // `merge: true`: `<<` merge keys are applied, as kubectl (sigs.k8s.io/yaml on go-yaml) applies them.
    docs = parseAllDocuments(text, { lineCounter: lc, prettyErrors: false, logLevel: 'error', merge: true }) as Document.Parsed[];
  } catch (e) {
    problem('error', e instanceof RangeError ? `cannot parse YAML: ${TOO_DEEP}` : `cannot parse YAML: ${yamlMessage((e as Error)?.message ?? String(e))}`);
    return { manifests, problems, files: [file] };
  }

  if (docs.length === 0 && (options.reportEmptyText ?? true)) {
    problem('warning', 'holds no YAML documents');
  }
  for (const doc of docs) {
    const startOffset = doc.contents?.range?.[0] ?? doc.range?.[0];
    if (doc.errors.length > 0) {
      // The first error only: the parser's later errors in the same document mostly follow from it.
      const err = doc.errors[0];
      problem('error', `invalid YAML: ${/call stack/i.test(err.message) ? TOO_DEEP : yamlMessage(err.message)}`, err.pos?.[0]);
      continue; // never lint half a document
    }
    let value: unknown;
    try {
      value = doc.toJS({ maxAliasCount: 1000 });
    } catch (e) {
      const err = e as Error;
      problem('error', `invalid YAML: ${yamlMessage(err instanceof RangeError ? TOO_DEEP : err?.message ?? String(e))}`, startOffset);
      continue;
    }
    if (tooDeep(value)) {
      problem('error', `invalid YAML: ${TOO_DEEP}`, startOffset);
      continue;
    }
    if (value === null || value === undefined) {
      problem('warning', 'empty YAML document skipped', doc.range?.[0] ?? startOffset); // at its `---`, if any
      continue;
    }
    collect(value, doc.contents, startOffset);
  }
  return { manifests, problems, files: [file] };

  function collect(value: unknown, node: unknown, offset: number | undefined): void {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      problem(notAnObject, `document is ${describeValue(value)}, not a Kubernetes object; skipped`, offset);
      return;
    }
    const obj = value as Record<string, unknown>;
    const missing = ['apiVersion', 'kind'].filter((k) => typeof obj[k] !== 'string' || obj[k] === '');
    if (missing.length > 0) {
      problem(notAnObject, `object has no ${missing.join(' or ')}, not a Kubernetes object; skipped`, offset);
      return;
    }
    const kind = obj.kind as string;
    if (kind.endsWith('List') && 'items' in obj) {
      if (!Array.isArray(obj.items)) {
        problem('error', `${kind}.items is ${describeValue(obj.items)}, not a list; skipped`, offset);
        return;
      }
      const itemsNode = isMap(node) ? node.get('items', true) : undefined;
      obj.items.forEach((item, i) => {
        const itemNode = isSeq(itemsNode) ? itemsNode.items[i] : undefined;
        const itemOffset = (itemNode as { range?: [number, number, number] } | undefined)?.range?.[0] ?? offset;
        collect(item, itemNode, itemOffset);
      });
      return;
    }
    const line = offset !== undefined ? pos(offset).line : undefined;
    manifests.push({ object: obj, source: new YamlSource(file, line, { node, lineCounter: lc }, lineOffset) });
  }
}

// ---------------------------------------------------------------------------------------------------------------
// The fast reader: split the stream into documents ourselves, parse each plain document with js-yaml (about four
// times faster than the `yaml` package on large streams), and hand every document that is not plainly a Kubernetes
// object — or that js-yaml cannot read, or that uses anchors, aliases or tags — to parseManifestsWithYamlPackage,
// so that messages, lines and the alias-expansion limit stay exactly those of the `yaml` package.
// ---------------------------------------------------------------------------------------------------------------

/** The part of js-yaml 4 used here (js-yaml ships no types; @types/js-yaml is not needed for this much). */
interface JsYamlType { readonly tag: string }
interface JsYamlSchema { extend(definition: { implicit: JsYamlType[] }): JsYamlSchema }
interface JsYaml {
  readonly FAILSAFE_SCHEMA: JsYamlSchema;
  readonly Type: new (tag: string, options: { kind: 'scalar'; resolve(data: unknown): boolean; construct(data: string): unknown }) => JsYamlType;
  load(text: string, options: { schema: JsYamlSchema; onWarning?: (warning: Error) => void }): unknown;
}
// eslint-disable-next-line @typescript-eslint/no-require-imports
const jsyaml: JsYaml = require('js-yaml');

/**
 * The YAML 1.2 core schema's tag resolution of plain scalars (YAML 1.2.2 spec §10.3.2,
 * https://yaml.org/spec/1.2.2/#1032-tag-resolution), which is what the `yaml` package applies by default: so
 * `yes`/`on`/`no` stay strings, `0o17` is octal, `012` is decimal 12, dates stay strings. Built on js-yaml's
 * failsafe schema (str/seq/map) rather than its default schema, which also makes timestamps, `<<` merges and
 * `!!binary`/`!!set`/`!!omap` values.
 */
const CORE_NULL = /^(?:~|null|Null|NULL)?$/;
const CORE_BOOL = /^(?:true|True|TRUE|false|False|FALSE)$/;
const CORE_INT = /^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$/;
const CORE_FLOAT = /^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?|[-+]?\.(?:inf|Inf|INF)|\.nan|\.NaN|\.NAN)$/;
const isStr = (d: unknown): d is string => typeof d === 'string';
/** Whether a plain scalar can be a number: it starts with a digit, a sign or a dot (a cheap test before the regexps). */
const mayBeNumber = (d: string) => {
  const c = d.charCodeAt(0);
  return (c >= 0x30 && c <= 0x39) || c === 0x2b || c === 0x2d || c === 0x2e;
};
const CORE_SCHEMA = jsyaml.FAILSAFE_SCHEMA.extend({
  implicit: [
    new jsyaml.Type('tag:yaml.org,2002:null', { kind: 'scalar', resolve: (d) => d === null || (isStr(d) && CORE_NULL.test(d)), construct: () => null }),
    new jsyaml.Type('tag:yaml.org,2002:bool', { kind: 'scalar', resolve: (d) => isStr(d) && CORE_BOOL.test(d), construct: (d) => d[0] === 't' || d[0] === 'T' }),
    new jsyaml.Type('tag:yaml.org,2002:int', {
      kind: 'scalar',
      resolve: (d) => isStr(d) && mayBeNumber(d) && CORE_INT.test(d),
      construct: (d) => (d[1] === 'o' ? parseInt(d.slice(2), 8) : d[1] === 'x' ? parseInt(d.slice(2), 16) : parseInt(d, 10)),
    }),
    new jsyaml.Type('tag:yaml.org,2002:float', {
      kind: 'scalar',
      resolve: (d) => isStr(d) && mayBeNumber(d) && CORE_FLOAT.test(d),
      construct: (d) => {
        const tail = d.slice(-3).toLowerCase();
        if (tail === 'nan') return NaN;
        if (tail === 'inf') return d[0] === '-' ? -Infinity : Infinity;
        return parseFloat(d);
      },
    }),
  ],
});

/** One document of a YAML stream, as {@link splitDocuments} finds it. */
export interface DocumentSlice {
  /** Offset of the document's first character: the start of its first line (comments and directives included). */
  readonly start: number;
  /** Offset just past the document: the start of the next document's `---` line, or just past its `...` line. */
  readonly end: number;
  /** 1-based line of `start`. */
  readonly line: number;
  /** 1-based line of the document's `---` marker, if it has one. */
  readonly markerLine?: number;
  /** 1-based line of the first line that is not blank, a comment, a directive or a bare marker; none if empty. */
  readonly contentLine?: number;
  /**
   * Whether the fast reader may parse this document: false when content follows the `---` on its line
   * (`--- !tag`, `--- |`, `--- {…}`) or a line inside it starts with `%`.
   */
  readonly plain: boolean;
}

/** What {@link splitDocuments} returns. */
export interface SplitResult {
  /** The documents, in order. A stream of comments only has none; `---` alone is one (empty) document. */
  readonly documents: DocumentSlice[];
  /**
   * The stream uses something the splitter does not model (a directive other than `%YAML 1.2`, a directive
   * without `---`, content after `...`, a `...` with no document): read the whole text with the `yaml` package.
   */
  readonly wholeTextFallback: boolean;
}

const YAML_12_DIRECTIVE = /^%YAML[ \t]+1\.2[ \t\r]*(?:#.*)?$/;

/**
 * Splits a YAML stream into its documents on the markers of YAML 1.2.2 §9.1–9.2
 * (https://yaml.org/spec/1.2.2/#91-documents): `---` (directives end) and `...` (document end) at column 0,
 * followed by a space, a tab, a line break or the end of the text (`--- # comment` and `--- !tag` are markers,
 * `----` and `---x` are not). A marker at column 0 ends any scalar, block or quoted, so a column-0 `---` inside a
 * block scalar is a marker here too, exactly as in YAML; an indented `---` is content. Comments and directives
 * before a `---` belong to the document it starts. Lines end at `\n` (a `\r` before it is whitespace).
 */
export function splitDocuments(text: string): SplitResult {
  const documents: DocumentSlice[] = [];
  let wholeTextFallback = false;
  // The document being read.
  let start = 0;
  let startLine = 1;
  let markerLine: number | undefined;
  let contentLine: number | undefined;
  let plain = true;
  let directives = false;
  const reset = (offset: number, line: number) => {
    start = offset; startLine = line; markerLine = undefined; contentLine = undefined; plain = true; directives = false;
  };
  const push = (end: number) => {
    const lines = { ...(markerLine !== undefined ? { markerLine } : {}), ...(contentLine !== undefined ? { contentLine } : {}) };
    documents.push({ start, end, line: startLine, ...lines, plain });
  };
  /** Whether text[from, to) is blank or a comment (whitespace, then `#` or nothing). */
  const blankOrComment = (from: number, to: number) => {
    let k = from;
    while (k < to) {
      const c = text.charCodeAt(k);
      if (c === 0x20 || c === 0x09 || c === 0x0d || (c === 0xfeff && k === 0)) { k++; continue; }
      return c === 0x23; // '#'
    }
    return true;
  };
  /** Whether the line at `pos` starts with the three-character marker `m`, followed by whitespace or its end. */
  const isMarker = (pos: number, lineEnd: number, ch: number) => {
    if (text.charCodeAt(pos + 1) !== ch || text.charCodeAt(pos + 2) !== ch) return false;
    if (pos + 3 >= lineEnd) return pos + 3 === lineEnd;
    const after = text.charCodeAt(pos + 3);
    return after === 0x20 || after === 0x09 || after === 0x0d;
  };

  let pos = 0;
  let line = 1;
  while (pos <= text.length) {
    const nl = text.indexOf('\n', pos);
    const lineEnd = nl < 0 ? text.length : nl;
    const next = nl < 0 ? text.length + 1 : nl + 1;
    const at = pos === 0 && text.charCodeAt(0) === 0xfeff ? 1 : pos; // a byte order mark is not content
    const c0 = text.charCodeAt(at);
    if (c0 === 0x2d /* - */ && isMarker(at, lineEnd, 0x2d)) {
      if (markerLine !== undefined || contentLine !== undefined) { push(pos); reset(pos, line); }
      markerLine = line;
      if (!blankOrComment(at + 3, lineEnd)) { contentLine = line; plain = false; }
    } else if (c0 === 0x2e /* . */ && isMarker(at, lineEnd, 0x2e)) {
      if (!blankOrComment(at + 3, lineEnd) || (markerLine === undefined && contentLine === undefined)) wholeTextFallback = true;
      else push(Math.min(next, text.length));
      reset(Math.min(next, text.length), line + 1);
    } else if (c0 === 0x25 /* % */) {
      if (markerLine === undefined && contentLine === undefined) {
        directives = true;
        if (!YAML_12_DIRECTIVE.test(text.slice(at, lineEnd))) wholeTextFallback = true;
      } else {
        plain = false; // `%` at column 0 inside a document: let the `yaml` package judge it
      }
    } else if (contentLine === undefined && !blankOrComment(pos, lineEnd)) {
      if (directives && markerLine === undefined) wholeTextFallback = true; // a directive needs a `---`
      contentLine = line;
    }
    pos = next;
    line++;
  }
  if (markerLine !== undefined || contentLine !== undefined) push(text.length);
  else if (directives) wholeTextFallback = true; // directives with no document
  return { documents, wholeTextFallback };
}

/**
 * Whether a document needs the `yaml` package: it may hold an anchor (`&a`), an alias (`*a`) or a tag (`!t`) — one
 * of those characters at the start of a line or after whitespace, a flow indicator, `:`, `?` or `-` — which the
 * `yaml` package reads with its alias-expansion limit (js-yaml has none); a key that is a collection (after `? `,
 * or a `]` / `}` followed by `:`), which the two libraries name differently; or a `#` right after a closing quote or
 * bracket (`"x"#c`), a comment not separated by white space, which js-yaml accepts and YAML does not; or a lone
 * carriage return (old Mac line ends), a line break for js-yaml but not for the `yaml` package. Over-approximates (`a & b`, `"a"#b` inside a string count), which only costs speed.
 */
function needsYamlPackage(doc: string): boolean {
  if (doc.includes('<<')) return true; // a merge key (`<<: *base`, `<<: {…}`): the `yaml` package applies it
  // Deep flow nesting: let the `yaml` package (and its depth check) read it.
  if (doc.includes('[[[[') || doc.includes('{{{{')) return true;
  // A carriage return not followed by a line feed: js-yaml takes it as a line break, the `yaml` package does not.
  for (let i = doc.indexOf('\r'); i >= 0; i = doc.indexOf('\r', i + 1)) {
    if (doc.charCodeAt(i + 1) !== 0x0a) return true;
  }
  // Keys that are collections (`? - a`, `[a]: b`, `{a: b}: c`): js-yaml names them `a`, the `yaml` package `[ a ]`.
  for (let i = doc.indexOf('?'); i >= 0; i = doc.indexOf('?', i + 1)) {
    const n = doc.charCodeAt(i + 1);
    if (Number.isNaN(n) || n === 0x20 || n === 0x09 || n === 0x0a || n === 0x0d) return true; // `? `, an explicit key
  }
  for (const close of [']', '}']) {
    for (let i = doc.indexOf(close); i >= 0; i = doc.indexOf(close, i + 1)) {
      let k = i + 1;
      while (doc.charCodeAt(k) === 0x20 || doc.charCodeAt(k) === 0x09) k++;
      if (doc.charCodeAt(k) === 0x3a) return true; // `]:` or `}:`
    }
  }
  for (let i = doc.indexOf('#'); i > 0; i = doc.indexOf('#', i + 1)) {
    const p = doc.charCodeAt(i - 1);
    if (p === 0x22 || p === 0x27 || p === 0x5d || p === 0x7d) return true; // " ' ] }
  }
  for (const ch of ['&', '*', '!']) {
    for (let i = doc.indexOf(ch); i >= 0; i = doc.indexOf(ch, i + 1)) {
      if (i === 0) return true;
      const p = doc.charCodeAt(i - 1);
      // space, tab, LF, CR, ',', '[', ']', '{', '}', ':', '?', '-'
      if (p === 0x20 || p === 0x09 || p === 0x0a || p === 0x0d || p === 0x2c || p === 0x5b || p === 0x5d
        || p === 0x7b || p === 0x7d || p === 0x3a || p === 0x3f || p === 0x2d) return true;
    }
  }
  return false;
}

/** Keys js-yaml makes from null key nodes; the `yaml` package makes `''` of them. */
const NULL_KEYS = new Set(['null', 'Null', 'NULL', '~']);

/** Set by {@link needsFallback}: whether the value it walked holds only plain JSON data. */
let walkedPlainJson = true;

/**
 * Whether a js-yaml value must be read by the `yaml` package instead: it nests deeper than {@link MAX_NESTING_DEPTH}
 * (the `yaml` package reports it), or it has a key the `yaml` package would read differently or reject: a null key, a
 * key made from a collection (js-yaml joins arrays with `,` and names objects `[object Object]`) and very long
 * implicit keys (the `yaml` package allows at most 1024 characters). Keys that merely look like these only cost speed.
 * One walk also tells whether the value is plain JSON data (no non-finite number, no -0, no `__proto__` key; js-yaml
 * makes nothing else that JSON would write differently): it clears {@link walkedPlainJson} when not. Recursive, but
 * never deeper than the nesting limit.
 */
function needsFallback(v: unknown, depth: number): boolean {
  if (typeof v !== 'object' || v === null) {
    if (typeof v === 'number' && (!Number.isFinite(v) || (v === 0 && 1 / v < 0))) walkedPlainJson = false;
    return false;
  }
  if (depth >= MAX_NESTING_DEPTH) return true;
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) if (needsFallback(v[i], depth + 1)) return true;
    return false;
  }
  const obj = v as Record<string, unknown>;
  for (const key in obj) { // (js-yaml's maps are plain objects: own keys, `__proto__` too, unless Object.prototype is polluted)
    if (NULL_KEYS.has(key) || key.length > 1000 || key.includes(',') || key === '[object Object]') return true;
    if (key === '__proto__') walkedPlainJson = false;
    if (needsFallback(obj[key], depth + 1)) return true;
  }
  return false;
}

/**
 * The objects this reader made with js-yaml that held only plain JSON data when made (what the schema gate's
 * isPlainJson would find, without its walk: see {@link madePlainJson}).
 */
const PLAIN_JSON = new WeakSet<object>();

/**
 * Whether `obj` is an object this reader made (with js-yaml, the fast path) and held only plain JSON data when made:
 * the schema gate then judges it as it is, without walking it to find out (`lint` passes this as the gate's `plainJson`:
 * nothing changes its objects between reading and the gate; `plan` copies them for its text views first).
 */
export function madePlainJson(obj: object): boolean {
  return PLAIN_JSON.has(obj);
}

/**
 * Reads one document with js-yaml and returns it when it is plainly a Kubernetes object (a map with a non-empty
 * string apiVersion and kind, not a `*List` with items), else undefined: js-yaml could not read it, or it is
 * something whose problems or List items the `yaml` package reports exactly.
 */
function loadPlainObject(doc: string): Record<string, unknown> | undefined {
  let value: unknown;
  let warned = false;
  try {
    // js-yaml only warns about some things the `yaml` package rejects (continuation lines of quoted scalars and
    // flow collections indented too little, other YAML versions, U+2028/U+2029 line breaks): leave those to it.
    value = jsyaml.load(doc, { schema: CORE_SCHEMA, onWarning: () => { warned = true; } });
  } catch {
    return undefined;
  }
  if (warned) return undefined;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const obj = value as Record<string, unknown>;
  if (typeof obj.apiVersion !== 'string' || obj.apiVersion === '' || typeof obj.kind !== 'string' || obj.kind === '') return undefined;
  if (obj.kind.endsWith('List') && 'items' in obj) return undefined;
  walkedPlainJson = true;
  if (needsFallback(obj, 0)) return undefined;
  if (walkedPlainJson) PLAIN_JSON.add(obj);
  return obj;
}

/**
 * Parses one YAML text (possibly many `---` documents) into manifests: the result of
 * {@link parseManifestsWithYamlPackage}, faster. {@link splitDocuments} cuts the text into documents; a document
 * that is plainly a Kubernetes object (the vast majority) is parsed with js-yaml under the YAML 1.2 core schema and
 * gets the line of its first content line, which is where its first key is; every other document (empty, not an
 * object, a List, invalid YAML, with anchors, aliases or tags, with content on its `---` line) is parsed alone with
 * the `yaml` package, at its true line, so its messages and positions are the exact ones. A text the splitter does
 * not model (directives other than `%YAML 1.2`, content after `...`) is read wholly by the `yaml` package.
 * `kind: List` (and any `*List` with `items`) is flattened, each item keeping its own line. Never throws.
 */
export function parseManifests(text: string, file: string, options: ParseOptions = {}): ReadResult {
  const split = splitDocuments(text);
  if (split.wholeTextFallback || split.documents.length === 0) return parseManifestsWithYamlPackage(text, file, options);
  const lineOffset = options.lineOffset ?? 0;
  const manifests: SourcedManifest[] = [];
  const problems: InputProblem[] = [];
  let empties = 0;
  for (const doc of split.documents) {
    if (doc.plain && doc.contentLine === undefined && doc.markerLine !== undefined) {
      // `---` with nothing but comments: what the `yaml` package says of it, without asking it (a million of them
      // must not take a million parser runs); listed up to a limit, then counted.
      if (++empties <= MAX_LISTED_EMPTY_DOCUMENTS) {
        problems.push({ file, line: doc.markerLine + lineOffset, column: 1 + (options.columnOffset ?? 0), severity: 'warning', message: 'empty YAML document skipped' });
      }
      continue;
    }
    const slice = text.slice(doc.start, doc.end);
    const object = doc.plain && doc.contentLine !== undefined && !needsYamlPackage(slice) ? loadPlainObject(slice) : undefined;
    if (object) {
      manifests.push({ object, source: new YamlSource(file, doc.contentLine! + lineOffset, { text: slice }, lineOffset + doc.line - 1) });
      continue;
    }
    const r = parseManifestsWithYamlPackage(slice, file, { ...options, lineOffset: lineOffset + doc.line - 1, reportEmptyText: false });
    for (const m of r.manifests) manifests.push(m);
    for (const p of r.problems) problems.push(p);
  }
  if (empties > MAX_LISTED_EMPTY_DOCUMENTS) {
    problems.push({ file, severity: 'warning', message: `${empties - MAX_LISTED_EMPTY_DOCUMENTS} more empty YAML documents skipped (${empties} in all)` });
  }
  return { manifests, problems, files: [file] };
}

/** Empty documents listed one by one per text; the rest are counted in one warning. */
export const MAX_LISTED_EMPTY_DOCUMENTS = 100;

/** Parses the ```yaml fenced blocks of a Markdown/text document. Never throws. */
export function parseMarkdownManifests(markdown: string, file: string): ReadResult {
  const manifests: SourcedManifest[] = [];
  const problems: InputProblem[] = [];
  for (const block of extractFencedYaml(markdown)) {
    if (block.unclosed) {
      problems.push({ file, line: block.line - 1, column: block.indent + 1, severity: 'warning', message: 'YAML code fence is never closed; read to the end of the file' });
    }
    const r = parseManifests(block.text, file, { lineOffset: block.line - 1, columnOffset: block.indent, notAnObject: 'warning', reportEmptyText: false });
    for (const m of r.manifests) manifests.push(m);
    for (const p of r.problems) problems.push(p);
  }
  return { manifests, problems, files: [file] };
}

/** Parses the text of one input, as Markdown when its name says so, else as YAML. */
export function parseText(text: string, file: string): ReadResult {
  const clean = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text; // a UTF-8 BOM is not content
  return isMarkdownPath(file) ? parseMarkdownManifests(clean, file) : parseManifests(clean, file);
}

/** Decodes a buffer, or says why it cannot be linted. */
function decode(buf: Buffer, file: string, maxBytes: number, size = buf.length): { text?: string; problem?: InputProblem } {
  if (size > maxBytes) {
    return { problem: { file, severity: 'error', message: `is ${size} bytes, over the ${maxBytes}-byte limit; skipped` } };
  }
  const nul = buf.indexOf(0);
  if (nul >= 0) {
    const before = buf.subarray(0, nul);
    let line = 1;
    for (const b of before) if (b === 0x0a) line++;
    return { problem: { file, line, severity: 'error', message: 'holds binary data (a NUL byte), not YAML text; skipped' } };
  }
  return { text: buf.toString('utf8') };
}

/**
 * Reads a stream up to `maxBytes + 1` bytes, then stops (an endless stream such as `yes |` is never read further).
 * `over` says the stream held more than `maxBytes`.
 */
async function readStream(stream: NodeJS.ReadableStream, maxBytes: number): Promise<{ buf: Buffer; over: boolean }> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream as AsyncIterable<Buffer | string>) {
    const b = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    if (size + b.length > maxBytes) return { buf: Buffer.alloc(0), over: true }; // leaving the loop closes the stream
    chunks.push(b);
    size += b.length;
  }
  return { buf: Buffer.concat(chunks), over: false };
}

/**
 * Reads a file of any type (regular, FIFO, character device such as /dev/zero or /dev/stdin) up to `maxBytes + 1`
 * bytes: a regular file by its size first, everything else by reading at most one byte past the limit.
 */
function readBounded(file: string, maxBytes: number): { buf?: Buffer; over?: string } {
  const fd = fs.openSync(file, 'r');
  try {
    const st = fs.fstatSync(fd);
    if (st.isFile() && st.size > maxBytes) return { over: `is ${st.size} bytes, over the ${maxBytes}-byte limit; skipped` };
    const chunks: Buffer[] = [];
    let size = 0;
    const chunkSize = 1024 * 1024;
    for (;;) {
      const want = Math.min(chunkSize, maxBytes + 1 - size);
      const b = Buffer.allocUnsafe(want);
      let n: number;
      try {
        n = fs.readSync(fd, b, 0, want, null);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'EAGAIN') continue; // a non-blocking pipe with nothing yet
        throw e;
      }
      if (n === 0) break;
      chunks.push(n === want ? b : b.subarray(0, n));
      size += n;
      if (size > maxBytes) return { over: `holds more than the ${maxBytes}-byte limit; read stopped, skipped` };
    }
    return { buf: Buffer.concat(chunks, size) };
  } finally {
    fs.closeSync(fd);
  }
}

function errnoMessage(e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  switch (err?.code) {
    case 'ENOENT': return 'no such file or directory';
    case 'EACCES': case 'EPERM': return 'permission denied';
    case 'EISDIR': return 'is a directory';
    default: return err?.message ?? String(e);
  }
}

/**
 * Lists the files of a directory to lint: recursive, `*.yaml` / `*.yml` only, skipping `node_modules` and dot
 * directories, sorted by path (byte order, so the result does not depend on the locale), symlink loops ignored, and
 * symbolic links that lead out of `dir` reported (warning) and skipped.
 */
export function walkDirectory(dir: string): { files: string[]; problems: InputProblem[] } {
  const files: string[] = [];
  const problems: InputProblem[] = [];
  const seen = new Set<string>();
  let rootReal: string | undefined;
  try { rootReal = fs.realpathSync(dir); } catch { rootReal = undefined; }
  const visit = (d: string) => {
    let real: string;
    try { real = fs.realpathSync(d); } catch (e) { problems.push({ file: d, severity: 'error', message: errnoMessage(e) }); return; }
    if (seen.has(real)) return;
    seen.add(real);
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(d, { withFileTypes: true });
    } catch (e) {
      problems.push({ file: d, severity: 'error', message: `cannot read directory: ${errnoMessage(e)}` });
      return;
    }
    const names = entries.map((e) => e.name).sort(byCodeUnits);
    const byName = new Map(entries.map((e) => [e.name, e]));
    for (const name of names) {
      const entry = byName.get(name)!;
      const p = path.join(d, name);
      let isDir = entry.isDirectory();
      let isFile = entry.isFile();
      if (entry.isSymbolicLink()) {
        let target: string;
        try { target = fs.realpathSync(p); const st = fs.statSync(target); isDir = st.isDirectory(); isFile = st.isFile(); } catch { continue; } // dangling link
        if (!isDir && !(isFile && isYamlPath(name))) continue;
        // The walk stays inside the named tree: a link out of it (to /, to $HOME) is reported and skipped.
        if (rootReal !== undefined && target !== rootReal && !target.startsWith(rootReal.endsWith(path.sep) ? rootReal : rootReal + path.sep)) {
          problems.push({ file: p, severity: 'warning', message: `is a symbolic link to ${target}, outside ${dir}; skipped` });
          continue;
        }
      }
      if (isDir) {
        if (name === 'node_modules' || name.startsWith('.')) continue;
        visit(p);
      } else if (isFile && isYamlPath(name)) {
        files.push(p);
      }
    }
  };
  visit(dir);
  return { files, problems };
}

/**
 * Reads every input (`FILE`, `DIR` or `-` for stdin) into manifests. A file named explicitly is read whatever its
 * extension (Markdown when it ends in `.md`, `.markdown` or `.txt`, else YAML); a directory contributes its
 * `*.yaml` / `*.yml` files. Never throws for bad input: every problem is in `problems`, and the rest is still read.
 */
export async function readInputs(inputs: string[], options: ReadOptions = {}): Promise<ReadResult> {
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
  const manifests: SourcedManifest[] = [];
  const problems: InputProblem[] = [];
  const files: string[] = [];
  // One by one: `push(...list)` passes every item as an argument and overflows the stack on large inputs.
  const add = (r: ReadResult) => {
    for (const m of r.manifests) manifests.push(m);
    for (const p of r.problems) problems.push(p);
    for (const f of r.files) files.push(f);
  };
  const readPaths = new Set<string>();
  const readFile = (file: string) => {
    let buf: Buffer;
    try {
      // A file named twice (or found by two overlapping directories) is read once.
      const real = fs.realpathSync(file);
      if (readPaths.has(real)) return;
      readPaths.add(real);
      const r = readBounded(file, maxBytes);
      if (r.over !== undefined) {
        problems.push({ file, severity: 'error', message: r.over });
        files.push(file);
        return;
      }
      buf = r.buf!;
    } catch (e) {
      problems.push({ file, severity: 'error', message: `cannot read: ${errnoMessage(e)}` });
      return;
    }
    const d = decode(buf, file, maxBytes);
    if (d.problem) { problems.push(d.problem); files.push(file); return; }
    add(parseText(d.text!, file));
  };

  let stdinRead = false;
  for (const input of inputs) {
    if (input === '-') {
      if (stdinRead) continue; // stdin can be read once
      stdinRead = true;
      if (options.stdin === undefined) {
        problems.push({ file: STDIN_NAME, severity: 'error', message: 'standard input is not available' });
        continue;
      }
      let read: { buf: Buffer; over: boolean };
      try {
        if (typeof options.stdin === 'string') {
          const buf = Buffer.from(options.stdin);
          read = { buf, over: buf.length > maxBytes };
        } else {
          read = await readStream(options.stdin, maxBytes);
        }
      } catch (e) {
        problems.push({ file: STDIN_NAME, severity: 'error', message: `cannot read: ${errnoMessage(e)}` });
        continue;
      }
      if (read.over) {
        problems.push({ file: STDIN_NAME, severity: 'error', message: `holds more than the ${maxBytes}-byte limit; read stopped, skipped` });
        files.push(STDIN_NAME);
        continue;
      }
      const d = decode(read.buf, STDIN_NAME, maxBytes);
      if (d.problem) { problems.push(d.problem); files.push(STDIN_NAME); continue; }
      add(parseManifests(d.text!.charCodeAt(0) === 0xfeff ? d.text!.slice(1) : d.text!, STDIN_NAME));
      continue;
    }
    let st: fs.Stats;
    try {
      st = fs.statSync(input);
    } catch (e) {
      problems.push({ file: input, severity: 'error', message: `cannot read: ${errnoMessage(e)}` });
      continue;
    }
    if (st.isDirectory()) {
      const walk = walkDirectory(input);
      for (const p of walk.problems) problems.push(p);
      if (walk.files.length === 0 && walk.problems.length === 0) {
        problems.push({ file: input, severity: 'warning', message: 'directory holds no *.yaml or *.yml files (Markdown and text files are read only when named)' });
      }
      walk.files.forEach(readFile);
    } else {
      readFile(input);
    }
  }
  return { manifests, problems, files };
}
