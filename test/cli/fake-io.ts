import { LintIO } from '../../src/cli/lint';

/** Options of a fake terminal. */
export interface FakeIOOptions {
  readonly stdin?: string;
  readonly isTTY?: boolean;
  readonly env?: Record<string, string | undefined>;
}

/** A fake terminal: collects what a command writes. */
export function fakeIO(opts: FakeIOOptions = {}) {
  let out = '';
  let err = '';
  const io: LintIO = {
    stdout: { write: (s: string) => { out += s; return true; } },
    stderr: { write: (s: string) => { err += s; return true; } },
    stdin: opts.stdin,
    isTTY: opts.isTTY,
    env: opts.env ?? {},
  } as LintIO;
  return { io, out: () => out, err: () => err };
}

/** Runs a command (`runLint`, `runPlan`, `main`) on a fake terminal: its exit code and what it wrote. */
export async function runCommand(command: (args: string[], io: LintIO) => Promise<number>, args: string[], opts: FakeIOOptions = {}) {
  const f = fakeIO(opts);
  const code = await command(args, f.io);
  return { code, out: f.out(), err: f.err() };
}
