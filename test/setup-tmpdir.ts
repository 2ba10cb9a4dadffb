/**
 * Jest setup (setupFilesAfterEnv, see .projenrc.ts): each test file gets its own temporary directory as `os.tmpdir()`,
 * removed when the file's tests end. aws-cdk-lib apps without an outdir write a `cdk.out*` folder with their assets
 * (about 57 MB for an EKS stack: the kubectl layer) and cdk8s's Testing.app() a `cdk8s.outdir.*` one under
 * os.tmpdir(), and neither is ever removed: a full test run left gigabytes behind, and repeated runs filled the disk.
 *
 * `os` is a core module, shared by the test file and the libraries it loads (jest's sandboxed `process.env` is a copy,
 * so setting TMPDIR there would not reach them): replacing `os.tmpdir` on the module object does.
 */
import * as fs from 'fs';
import * as path from 'path';

// The core module object itself (an `import * as` namespace has read-only getters).
// eslint-disable-next-line @typescript-eslint/no-require-imports
const os: { tmpdir: () => string } = require('os');

const realTmpdir = os.tmpdir;
const dir = fs.mkdtempSync(path.join(realTmpdir(), 'cdk8s-gpu-test-'));
os.tmpdir = () => dir;

afterAll(() => {
  os.tmpdir = realTmpdir;
  fs.rmSync(dir, { recursive: true, force: true });
});
