#!/usr/bin/env node
/**
 * The `cdk8s-gpu` command: `cdk8s-gpu <command> [options]`. Commands: `lint` (check YAML for GPU scheduling
 * mistakes) and `plan` (placement, capacity and cost of GPU workloads). Not part of the jsii API.
 */
import { safeText } from './args';
import { EXIT_INPUT, EXIT_OK, LintIO, packageVersion, runLint } from './lint';
import { runPlan } from './plan';

/** The text of `cdk8s-gpu --help`. */
export const USAGE = `Usage: cdk8s-gpu <command> [options]

Commands:
  lint FILE|DIR|- ...   check Kubernetes YAML for GPU scheduling mistakes (cdk8s-gpu lint --help)
  plan FILE|DIR|- ...   placement, capacity and cost of GPU workloads (cdk8s-gpu plan --help)

Options:
  --help, -h            show this help
  --version             show the version
`;

/** Runs the command line `args` (the words after `cdk8s-gpu`) and returns the exit code; never exits the process. */
export async function main(args: string[], io: LintIO): Promise<number> {
  const [command, ...rest] = args;
  switch (command) {
    case 'lint':
      return runLint(rest, io);
    case 'plan':
      return runPlan(rest, io);
    case '--help': case '-h': case 'help':
      io.stdout.write(USAGE);
      return EXIT_OK;
    case '--version': case '-V': case 'version':
      io.stdout.write(`${packageVersion()}\n`);
      return EXIT_OK;
    case undefined:
      io.stderr.write(`cdk8s-gpu: no command given\n\n${USAGE}`);
      return EXIT_INPUT;
    default:
      io.stderr.write(`cdk8s-gpu: unknown command ${JSON.stringify(command)}\n\n${USAGE}`);
      return EXIT_INPUT;
  }
}

if (require.main === module) {
  // A closed pipe (`cdk8s-gpu lint x | head`) is not an error worth a stack trace.
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw e;
  });
  main(process.argv.slice(2), {
    stdout: process.stdout,
    stderr: process.stderr,
    stdin: process.stdin,
    isTTY: process.stdout.isTTY === true,
    env: process.env,
  }).then(
    (code) => { process.exitCode = code; },
    (e) => {
      // Never a stack trace: one line, control characters escaped (set CDK8S_GPU_DEBUG=1 for the stack).
      const detail = process.env.CDK8S_GPU_DEBUG ? (e as Error)?.stack : String((e as Error)?.message ?? e).split('\n')[0];
      process.stderr.write(`cdk8s-gpu: failed: ${safeText(detail)}\n`);
      process.exitCode = EXIT_INPUT;
    },
  );
}
