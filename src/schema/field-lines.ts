/**
 * Where the fields of a manifest read from YAML are: the reader (src/cli/yaml-input.ts) gives each object a
 * {@link YamlSource}, and the schema gate asks it for the line of each violating field, so a GPU009 finding points at
 * the field, not at the object's first line. Nothing is computed until a line is asked for.
 *
 * Not part of the jsii API.
 */
import type { LineCounter } from 'yaml';
import { yamlPackage } from '../private/lazy';
import { ManifestSource } from '../validation/model';

/**
 * A manifest's source (file and line, as {@link ManifestSource}) read from YAML, which can also tell the line of any
 * field of its object. The YAML text of the object's document is parsed again (with positions) only when a line is
 * asked for, so reading 200,000 valid objects costs nothing more. The positions are private fields: the source
 * compares, prints and serialises as a plain `{ file, line }`.
 */
export class YamlSource implements ManifestSource {
  /** The file. */
  public readonly file: string;
  /** 1-based line of the object's first key. */
  public readonly line?: number;
  #text: string | undefined;
  #node: unknown;
  #lineCounter: LineCounter | undefined;
  readonly #lineOffset: number;

  /**
   * @param file the file
   * @param line the object's line
   * @param at the object's YAML: its document's text (parsed when a line is asked for), or its parsed node and the
   *   line counter of the text it was parsed from
   * @param lineOffset lines before the text (or the parsed text) in the file
   */
  constructor(file: string, line: number | undefined, at: { text: string } | { node: unknown; lineCounter: LineCounter }, lineOffset: number) {
    this.file = file;
    if (line !== undefined) this.line = line;
    if ('text' in at) {this.#text = at.text;} else { this.#node = at.node; this.#lineCounter = at.lineCounter; }
    this.#lineOffset = lineOffset;
  }

  /**
   * The 1-based line of the field at `segments` (map keys, list indexes as strings): the line of its key in a map, of
   * the item in a list. Undefined when the YAML does not write the field out (a missing field, one merged in with
   * `<<` or behind an alias).
   */
  public lineOf(segments: readonly string[]): number | undefined {
    const { isMap, isScalar, isSeq, LineCounter, parseDocument } = yamlPackage();
    if (this.#text !== undefined) {
      this.#lineCounter = new LineCounter();
      this.#node = parseDocument(this.#text, { lineCounter: this.#lineCounter, merge: true, prettyErrors: false, logLevel: 'silent' }).contents;
      this.#text = undefined;
    }
    let node: any = this.#node;
    let offset: number | undefined;
    for (const seg of segments) {
      if (isMap(node)) {
        const pair: any = node.items.find((p: any) => {
          const k = isScalar(p.key) ? p.key.value : p.key;
          return (typeof k === 'string' || typeof k === 'number' || typeof k === 'boolean') && String(k) === seg;
        });
        if (!pair) return undefined;
        offset = pair.key?.range?.[0];
        node = pair.value;
      } else if (isSeq(node) && /^\d+$/.test(seg)) {
        node = node.items[Number(seg)];
        if (!node) return undefined;
        offset = node.range?.[0];
      } else {
        return undefined;
      }
    }
    return offset === undefined || !this.#lineCounter ? undefined : this.#lineCounter.linePos(offset).line + this.#lineOffset;
  }
}

/**
 * Splits a display path (`spec.template.spec.containers[0]["nvidia.com/gpu"]`, as the schema gate prints them, or
 * `spec.hard[requests.nvidia.com/gpu]`, a map key as the API server writes it) into segments; undefined when it is not
 * one (`<root>`, `apiVersion/kind`).
 */
export function pathSegments(displayPath: string): string[] | undefined {
  const out: string[] = [];
  let i = 0;
  const s = displayPath;
  while (i < s.length) {
    if (s[i] === '[') {
      if (s[i + 1] === '"') {
        // A JSON string up to its closing quote (escaped quotes skipped).
        let j = i + 2;
        while (j < s.length && s[j] !== '"') j += s[j] === '\\' ? 2 : 1;
        if (s[j + 1] !== ']') return undefined;
        try { out.push(JSON.parse(s.slice(i + 1, j + 1))); } catch { return undefined; }
        i = j + 2;
      } else {
        // A list index, or a map key as the API server writes it, unquoted (`spec.hard[requests.nvidia.com/gpu]`).
        const close = s.indexOf(']', i);
        if (close <= i + 1) return undefined;
        out.push(s.slice(i + 1, close));
        i = close + 1;
      }
    } else {
      if (s[i] === '.') {
        if (out.length === 0) return undefined;
        i++;
      }
      const m = /^[A-Za-z_$][\w$-]*/.exec(s.slice(i));
      if (!m) return undefined;
      out.push(m[0]);
      i += m[0].length;
    }
  }
  return out.length > 0 ? out : undefined;
}

/** The line of the field at `displayPath` of the object read from `source`, when the source is YAML holding that field. */
export function fieldLine(source: unknown, displayPath: string): number | undefined {
  if (!(source instanceof YamlSource)) return undefined;
  const segments = pathSegments(displayPath);
  if (!segments) return undefined;
  try {
    return source.lineOf(segments);
  } catch {
    return undefined;
  }
}
