import { cases, readShared } from '../shared-data';

/** Rows of a simple CSV under `../shared/reference` (no quoted fields, as gpu-instances.csv is) as header → value records. */
export function readCsv(file: string): Array<Record<string, string>> {
  const lines = readShared(`reference/${file}`).split(/\r?\n/).filter((l) => l.trim() !== '');
  const header = lines[0].split(',');
  return cases(lines.slice(1), `reference/${file}`).map((line) => {
    const cells = line.split(',');
    if (cells.length !== header.length) throw new Error(`${file}: row has ${cells.length} cells, header ${header.length}: ${line}`);
    return Object.fromEntries(header.map((h, i) => [h, cells[i]]));
  });
}

/** Parsed JSON from `../shared/reference`. */
export function readJson(file: string): any {
  return JSON.parse(readShared(`reference/${file}`));
}
