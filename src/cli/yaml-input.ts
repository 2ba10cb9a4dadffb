/**
 * Reads the inputs of `cdk8s-gpu lint` (files, directories, `-` for stdin) into plain manifests that remember
 * where they came from (`file` and the 1-based line where the object starts).
 *
 * Nothing here throws on bad input: every problem (missing file, bad YAML, binary data, a document that is not a
 * Kubernetes object, …) becomes an {@link InputProblem} with file and line, and the other inputs are still read.
 *
 * Not part of the jsii API (not exported from src/index.ts).
 */
import * as fs from 'fs';
import * as path from 'path';
import { Document, isMap, isSeq, LineCounter, parseAllDocuments } from 'yaml';
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

function describeValue(v: unknown): string {
  if (Array.isArray(v)) return 'a list';
  if (v === null) return 'null';
  return `a ${typeof v} (${JSON.stringify(v)?.slice(0, 40)})`;
}

/**
 * Parses one YAML text (possibly many `---` documents) into manifests. `kind: List` (and any `*List` with `items`)
 * is flattened, each item keeping its own line. Never throws.
 */
export function parseManifests(text: string, file: string, options: ParseOptions = {}): ReadResult {
  const lineOffset = options.lineOffset ?? 0;
  const colOffset = options.columnOffset ?? 0;
  const notAnObject = options.notAnObject ?? 'error';
  const manifests: SourcedManifest[] = [];
  const problems: InputProblem[] = [];
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
    docs = parseAllDocuments(text, { lineCounter: lc, prettyErrors: false, logLevel: 'error' }) as Document.Parsed[];
  } catch (e) {
    problem('error', `cannot parse YAML: ${yamlMessage((e as Error)?.message ?? String(e))}`);
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
      problem('error', `invalid YAML: ${yamlMessage(err.message)}`, err.pos?.[0]);
      continue; // never lint half a document
    }
    let value: unknown;
    try {
      value = doc.toJS({ maxAliasCount: 1000 });
    } catch (e) {
      const err = e as Error;
      problem('error', `invalid YAML: ${yamlMessage(err instanceof RangeError ? 'document is nested too deeply' : err?.message ?? String(e))}`, startOffset);
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
    manifests.push({ object: obj, source: { file, ...(offset !== undefined ? { line: pos(offset).line } : {}) } });
  }
}

/** Parses the ```yaml fenced blocks of a Markdown/text document. Never throws. */
export function parseMarkdownManifests(markdown: string, file: string): ReadResult {
  const manifests: SourcedManifest[] = [];
  const problems: InputProblem[] = [];
  for (const block of extractFencedYaml(markdown)) {
    if (block.unclosed) {
      problems.push({ file, line: block.line - 1, column: block.indent + 1, severity: 'warning', message: 'YAML code fence is never closed; read to the end of the file' });
    }
    const r = parseManifests(block.text, file, { lineOffset: block.line - 1, columnOffset: block.indent, notAnObject: 'warning', reportEmptyText: false });
    manifests.push(...r.manifests);
    problems.push(...r.problems);
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

/** Reads a stream whole, keeping at most `maxBytes` in memory; `size` is the true size. */
async function readStream(stream: NodeJS.ReadableStream, maxBytes: number): Promise<{ buf: Buffer; size: number }> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream as AsyncIterable<Buffer | string>) {
    const b = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    size += b.length;
    if (size <= maxBytes) chunks.push(b);
  }
  return { buf: Buffer.concat(chunks), size };
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
 * directories, sorted by path (byte order, so the result does not depend on the locale), symlink loops ignored.
 */
export function walkDirectory(dir: string): { files: string[]; problems: InputProblem[] } {
  const files: string[] = [];
  const problems: InputProblem[] = [];
  const seen = new Set<string>();
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
    const names = entries.map((e) => e.name).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    const byName = new Map(entries.map((e) => [e.name, e]));
    for (const name of names) {
      const entry = byName.get(name)!;
      const p = path.join(d, name);
      let isDir = entry.isDirectory();
      let isFile = entry.isFile();
      if (entry.isSymbolicLink()) {
        try { const st = fs.statSync(p); isDir = st.isDirectory(); isFile = st.isFile(); } catch { continue; } // dangling link
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
  const add = (r: ReadResult) => {
    manifests.push(...r.manifests);
    problems.push(...r.problems);
    files.push(...r.files);
  };
  const readPaths = new Set<string>();
  const readFile = (file: string) => {
    let buf: Buffer;
    try {
      // A file named twice (or found by two overlapping directories) is read once.
      const real = fs.realpathSync(file);
      if (readPaths.has(real)) return;
      readPaths.add(real);
      const st = fs.statSync(file);
      if (st.size > maxBytes) {
        problems.push({ file, severity: 'error', message: `is ${st.size} bytes, over the ${maxBytes}-byte limit; skipped` });
        return;
      }
      buf = fs.readFileSync(file);
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
      let read: { buf: Buffer; size: number };
      try {
        if (typeof options.stdin === 'string') {
          const buf = Buffer.from(options.stdin);
          read = { buf, size: buf.length };
        } else {
          read = await readStream(options.stdin, maxBytes);
        }
      } catch (e) {
        problems.push({ file: STDIN_NAME, severity: 'error', message: `cannot read: ${errnoMessage(e)}` });
        continue;
      }
      const d = decode(read.buf, STDIN_NAME, maxBytes, read.size);
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
      problems.push(...walk.problems);
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
