import * as fs from 'fs';
import * as path from 'path';

/** The project's reference data folder (`shared/reference` beside the repo root). */
export const REFERENCE_DIR = path.join(__dirname, '../../../shared/reference');

/** `describe` when the reference folder exists, else `describe.skip` with a printed reason. */
export function describeIfShared(file: string): jest.Describe {
  const p = path.join(REFERENCE_DIR, file);
  if (fs.existsSync(p)) return describe;
  // eslint-disable-next-line no-console
  console.warn(`skipping the cross-check against ${p}: the reference data folder is absent (only the hard-coded checks run)`);
  return describe.skip;
}

/** Rows of a simple CSV (no quoted fields, as gpu-instances.csv is) as header → value records. */
export function readCsv(file: string): Array<Record<string, string>> {
  // jest still runs the body of a skipped describe to collect its tests: answer "no rows" when absent.
  if (!fs.existsSync(path.join(REFERENCE_DIR, file))) return [];
  const lines = fs.readFileSync(path.join(REFERENCE_DIR, file), 'utf8').split(/\r?\n/).filter((l) => l.trim() !== '');
  const header = lines[0].split(',');
  return lines.slice(1).map((line) => {
    const cells = line.split(',');
    if (cells.length !== header.length) throw new Error(`${file}: row has ${cells.length} cells, header ${header.length}: ${line}`);
    return Object.fromEntries(header.map((h, i) => [h, cells[i]]));
  });
}

/** Parsed JSON from the reference folder. */
export function readJson(file: string): any {
  if (!fs.existsSync(path.join(REFERENCE_DIR, file))) return {};
  return JSON.parse(fs.readFileSync(path.join(REFERENCE_DIR, file), 'utf8'));
}
