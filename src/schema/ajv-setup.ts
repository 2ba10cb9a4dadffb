/**
 * The one ajv configuration of the schema gate, shared by the runtime compiler (validator.ts) and the build-time
 * precompiler (precompiled.ts), so both produce the same validation code.
 *
 * Everything the generated code calls besides ajv's and ajv-formats' own runtime modules is reached through a
 * runtime object {@link AJV_RUNTIME} (the standalone modules receive it as `rt`): the RE2 → JS regex translation and
 * the list-map key check. No generated file needs a path to this package's sources.
 */
import Ajv, { _, KeywordCxt, str, stringify } from 'ajv';
import addFormats from 'ajv-formats';
import { listMapDuplicates } from './ajv-runtime';
import { re2 } from './re2';
import { GO_DURATION } from './structural';

export { AJV_RUNTIME, listMapDuplicates } from './ajv-runtime';

/** ajv's `code.regExp`: the RE2 translation, written as `rt.re2(...)` in generated code. */
const regExp: any = (pattern: string, flags?: string) => re2(pattern, flags);
regExp.code = 'rt.re2';

/** An ajv configured as the gate needs it; `source: true` keeps the code for standalone generation. */
export function makeAjv(source = false): Ajv {
  const a = new Ajv({
    allErrors: true,
    strict: false,
    useDefaults: true,
    validateFormats: true,
    // Keys are listed with for…in, not an Object.keys array per object checked (the gate's objects are plain data):
    // own keys only while Object.prototype holds no enumerable property; when it does, the gate judges a copy whose
    // objects have no prototype (validator.ts withoutPrototypes), so inherited keys are never read as fields.
    ownProperties: false,
    code: { regExp, source },
  });
  addFormats(a, ['int32', 'int64', 'date-time', 'date', 'byte']);
  a.addFormat('duration', GO_DURATION);
  a.addKeyword({
    keyword: 'k8sListMapKeys',
    type: 'array',
    schemaType: 'array',
    // One error per repeated item, at the list, `params.index` naming the item (the formatter prints `list[i]`).
    code(cxt: KeywordCxt) {
      const { gen, data, schema } = cxt;
      const fn = gen.scopeValue('func', { ref: listMapDuplicates, code: _`rt.listMapDuplicates` });
      const dups = gen.const('dups', _`${fn}(${stringify(schema)}, ${data})`);
      gen.forOf('dup', dups, (dup) => {
        cxt.setParams({ index: _`${dup}[0]`, first: _`${dup}[1]` });
        cxt.error();
      });
      cxt.setParams({});
    },
    error: {
      message: ({ schema, params }) => str`Duplicate value: item ${params.index} repeats keys ${(schema as string[]).join(', ')} of item ${params.first}`,
      params: ({ schema, params }) => _`{index: ${params.index}, keys: ${stringify(schema)}}`,
    },
  });
  return a;
}
