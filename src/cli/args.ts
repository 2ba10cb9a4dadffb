/**
 * What every `cdk8s-gpu` command shares: the argument walk (positional inputs, `--`, `-` for stdin,
 * `--name value` / `--name=value`) and the colour rule (ANSI only on a terminal without NO_COLOR,
 * https://no-color.org). Not part of the jsii API.
 */

/** A bad command line: the command prints the message and its usage, and exits 2. */
export class UsageError extends Error {}

/** Reads the current option's value, or checks it has none. */
export interface OptionReader {
  /** The value: `--name=value` or the next argument. Throws UsageError when there is none. */
  value(): string;
  /** Throws UsageError when the option was given a value (`--quiet=yes`). */
  noValue(): void;
}

/**
 * Walks `args`: positional arguments (and `-`, and everything after `--`) are returned as inputs; each option is
 * handed to `onOption(name, reader)`, which throws UsageError for an unknown one.
 */
export function walkArgs(args: string[], onOption: (name: string, read: OptionReader) => void): string[] {
  const inputs: string[] = [];
  let onlyInputs = false;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (onlyInputs || arg === '-' || !arg.startsWith('-')) { inputs.push(arg); continue; }
    if (arg === '--') { onlyInputs = true; continue; }
    const eq = arg.indexOf('=');
    const name = eq > 0 ? arg.slice(0, eq) : arg;
    onOption(name, {
      value: () => {
        if (eq > 0) return arg.slice(eq + 1);
        if (i + 1 >= args.length) throw new UsageError(`${name} needs a value`);
        return args[++i];
      },
      noValue: () => {
        if (eq > 0) throw new UsageError(`${name} takes no value`);
      },
    });
  }
  return inputs;
}

/** Text styles: ANSI SGR codes, or none. */
export interface TextStyle {
  red(s: string): string;
  yellow(s: string): string;
  green(s: string): string;
  bold(s: string): string;
  dim(s: string): string;
}

const ansi = (open: number, close: number) => (s: string) => `\u001b[${open}m${s}\u001b[${close}m`;
const same = (s: string) => s;

/** ANSI colours. */
export const COLOR_STYLE: TextStyle = { red: ansi(31, 39), yellow: ansi(33, 39), green: ansi(32, 39), bold: ansi(1, 22), dim: ansi(2, 22) };
/** No styling. */
export const PLAIN_TEXT_STYLE: TextStyle = { red: same, yellow: same, green: same, bold: same, dim: same };

/** Whether to colour: only on a TTY, never with `--no-color`, never with NO_COLOR set to a non-empty value. */
export function useColor(io: { isTTY?: boolean; env?: NodeJS.ProcessEnv }, noColor: boolean): boolean {
  const env = io.env ?? process.env;
  return !!io.isTTY && !noColor && !(env.NO_COLOR !== undefined && env.NO_COLOR !== '');
}

/** Control characters (C0, DEL, C1), line and paragraph separators, and bidirectional overrides. */
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;
const NAMED: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t', '\u001b': '\\e' };

/**
 * Text from the input (object and file names, field paths, messages quoting values) made safe for a terminal: every
 * control character is escaped (`\n`, `\r`, `\t`, `\e`, else `\xNN` / `\uNNNN`), so an ESC sequence cannot hide
 * the lines that follow and a newline cannot forge one.
 */
export function safeText(s: unknown): string {
  return String(s ?? '').replace(UNSAFE, (c) => NAMED[c] ?? (c.charCodeAt(0) <= 0xff
    ? `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}` : `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`));
}
