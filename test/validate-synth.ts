/**
 * Jest setup (setupFilesAfterEnv, see .projenrc.ts): every object any test synthesises through cdk8s — `Testing.synth`,
 * `chart.toJson()`, `app.synth()`, `apiObject.toJson()`, and charts that aws-cdk's `addCdk8sChart` renders into an EKS
 * stack — and every manifest of a stack template a test reads with `Template.fromStack` goes through
 * the conformance harness (test/conformance/schema.ts, `validateObject`) after the test: a test fails when an object it
 * synthesised is not valid against the real upstream schema, even if the test itself never called `expectValid`.
 *
 * Objects are rendered again after the test (a test may mutate the JSON it got, e.g. to feed a linter a broken
 * manifest: what is judged is what the construct synthesises), and identical objects are validated once per test file. CDK tokens (`${Token[…]}`) in charts
 * rendered into an aws-cdk stack are replaced by a placeholder first.
 *
 * A test that synthesises invalid objects on purpose says so with `allowInvalidSynth('why')`, for that test only.
 */
import { ApiObject } from 'cdk8s';
import { objectId, validateObject } from './conformance/schema';

/** `${Token[AWS.AccountId.3]}`-style string tokens of aws-cdk / cdk8s: replaced before validation. */
const TOKEN = /\$\{Token\[[^\]]+\]\}/g;
/** A value that is valid wherever a token can stand in these manifests (names, labels, ARNs inside strings). */
export const TOKEN_PLACEHOLDER = 'token';

interface State {
  /** cdk8s objects a test rendered (toJson), rendered again after it. */
  readonly objects: Set<ApiObject>;
  /** JSON texts to validate after the test. */
  pending: string[];
  allowed?: string;
  readonly verdicts: Map<string, string[]>;
}
const state: State = { objects: new Set(), pending: [], verdicts: new Map() };

/** Let the current test synthesise objects that are not valid (say why: it shows if this ever hides a defect). */
export function allowInvalidSynth(reason: string): void {
  if (!reason) throw new Error('allowInvalidSynth: give the reason');
  state.allowed = reason;
}

/** Validates `obj` (a plain manifest, tokens replaced); memoised per distinct JSON text. */
export function conformanceErrors(json: string): string[] {
  let errors = state.verdicts.get(json);
  if (!errors) {
    errors = validateObject(JSON.parse(json));
    state.verdicts.set(json, errors);
  }
  return errors;
}

/**
 * A CloudFormation value as text, with every intrinsic (`Ref`, `Fn::GetAtt`, …) replaced by the placeholder and
 * `Fn::Join` joined: the `Manifest` of an EKS KubernetesResource is a JSON string, or a join of strings and tokens.
 */
function cfnText(v: any): string {
  if (typeof v === 'string') return v;
  if (v && typeof v === 'object' && Array.isArray(v['Fn::Join'])) {
    const [sep, parts] = v['Fn::Join'];
    return (parts as any[]).map(cfnText).join(sep);
  }
  return TOKEN_PLACEHOLDER;
}

/**
 * Every Kubernetes object an aws-cdk template applies through `Custom::AWSCDK-EKS-KubernetesResource` (the `Manifest`
 * property: `cluster.addManifest`, `addCdk8sChart`, aws-auth, …), tokens replaced by the placeholder.
 */
export function embeddedManifests(template: any): any[] {
  const out: any[] = [];
  for (const [id, r] of Object.entries<any>(template?.Resources ?? {})) {
    if (r?.Type !== 'Custom::AWSCDK-EKS-KubernetesResource' || r.Properties?.Manifest === undefined) continue;
    const text = cfnText(r.Properties.Manifest).replace(TOKEN, TOKEN_PLACEHOLDER);
    let parsed: any;
    try {
      parsed = JSON.parse(text);
    } catch (e) {
      throw new Error(`${id}: the Manifest is not JSON once tokens are replaced (${(e as Error).message}): ${text.slice(0, 200)}`);
    }
    out.push(...(Array.isArray(parsed) ? parsed : [parsed]));
  }
  return out;
}

/** Queues the embedded manifests of a synthesised stack template for validation after the current test. */
export function validateStackTemplateAfterTest(template: any): void {
  for (const o of embeddedManifests(template)) state.pending.push(JSON.stringify(o));
}

// Every Template.fromStack(...) a test makes queues its embedded manifests. A lazy mock: aws-cdk-lib is only loaded
// (and patched) in test files that use it.
jest.mock('aws-cdk-lib/assertions', () => {
  const actual = jest.requireActual('aws-cdk-lib/assertions');
  const fromStack = actual.Template.fromStack;
  actual.Template.fromStack = function fromStackValidated(this: any, ...args: any[]) {
    const t = fromStack.apply(this, args);
    validateStackTemplateAfterTest(t.toJSON());
    return t;
  };
  return actual;
});

// ApiObject.toJson is what every synthesis path calls per object (Chart.toJson, Testing.synth, App.synth), and what a
// test calls to look at one object. The generated bindings (KubeDeployment, NodePool, …) override it and convert the
// result of `super.toJson()` (Quantity objects become strings, …), so the hook records the object, not that
// intermediate result, and renders it again after the test through its own (outermost) toJson.
const original = ApiObject.prototype.toJson;
let rendering = false;
ApiObject.prototype.toJson = function toJsonRecorded(this: ApiObject): any {
  const out = original.call(this);
  if (!rendering) state.objects.add(this);
  return out;
};

/** Renders the objects recorded during the test (an object whose rendering now throws is left to the test). */
function renderRecorded(): void {
  rendering = true;
  try {
    for (const o of state.objects) {
      let json: any;
      try {
        json = o.toJson();
      } catch {
        continue;
      }
      state.pending.push(JSON.stringify(json).replace(TOKEN, TOKEN_PLACEHOLDER));
    }
  } finally {
    rendering = false;
    state.objects.clear();
  }
}

afterEach(() => {
  const allowed = state.allowed;
  state.allowed = undefined;
  if (allowed !== undefined) {
    state.objects.clear();
    state.pending = [];
    return;
  }
  renderRecorded();
  const pending = state.pending;
  state.pending = [];
  const lines: string[] = [];
  for (const json of new Set(pending)) {
    const errors = conformanceErrors(json);
    if (errors.length === 0) continue;
    lines.push(`  ${objectId(JSON.parse(json))}:`, ...errors.map((e) => `    - ${e}`));
  }
  if (lines.length > 0) {
    throw new Error('an object this test synthesised is not valid against its upstream schema (test/validate-synth.ts; '
      + `allowInvalidSynth('why') if that is the point of the test):\n${lines.join('\n')}`);
  }
});

afterAll(() => {
  ApiObject.prototype.toJson = original;
});
