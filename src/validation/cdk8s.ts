/**
 * cdk8s integration: lint every ApiObject of a chart or app at synth time.
 *
 * cdk8s 2.70 runs `node.validate()` on every construct of the app before it writes anything, in `App.synth()`,
 * `App.synthYaml()` and `Chart.toJson()` (hence `Testing.synth(chart)`), and throws one error listing every message
 * (node_modules/cdk8s/lib/app.js, `function validate`). So a construct validation that returns the ERROR findings
 * fails synth with all of them at once.
 *
 * ## One serialisation per synth
 * cdk8s runs the validations more than once per synth (`App.synthYaml()` validates, then each `Chart.toJson()`
 * validates the whole app again) and then serialises every ApiObject itself. Linting needs the JSON of every object,
 * so a naive validation serialises each object three times per synth where the bare app serialises it once. During
 * one `App.synth()` / `App.synthYaml()` / `Chart.toJson()` call of the app (a "synth session", opened by wrapping
 * those methods of the app and of the scope's chart when the validation is added), each object is serialised once:
 * its JSON is kept and its `toJson()` answers with it, the rules run once per validation, and when the call returns
 * every object gets its own `toJson()` back. Nothing user code does between two synth calls can be missed (a later
 * `addJsonPatch`, a pool's `addTaint`, a changed Lazy value are all seen by the next synth); inside one call, cdk8s
 * itself changes nothing between validation and output. Outside a session (e.g. `node.validate()` called directly),
 * every call serialises afresh.
 *
 * ## A faster YAML writer
 * For the same session, cdk8s's `Yaml.stringify` (which `App.synth()` and `App.synthYaml()` call to write every
 * document) is replaced by the writer of ./yaml-writer.ts, byte-identical to it on the documents it accepts and
 * delegating every other document to it; the original is put back when the session ends. cdk8s's writer is two
 * thirds of a large app's synth time; `fastYamlWriter: false` keeps it.
 */
import { ApiObject, App, Chart, Yaml } from 'cdk8s';
import { Construct, IConstruct, IValidation } from 'constructs';
import { _runValidation, validateManifests } from './engine';
import { formatFinding, formatSource } from './format';
import { GpuConfigError } from '../errors';
import { Finding, Severity, SourcedManifest } from './model';
import { RULE_ID_PATTERN, SUPPRESS_ANNOTATION } from './suppression';
import { _stringifyDocs } from './yaml-writer';

/** Options of {@link GpuValidation}. */
export interface GpuValidationProps {
  /** Rule ids switched off for this scope (an unknown id fails synth). @default - none */
  readonly disabledRules?: string[];
  /**
   * Validate every ApiObject against its schema before the rules (Kubernetes 1.30 core kinds and the CRDs bundled
   * in the package's `crds/`; rule GPU009): an object the API server would refuse fails synth, naming the field.
   * @default true
   */
  readonly schemaGate?: boolean;
  /** Fail synth on warnings too. @default false */
  readonly failOnWarnings?: boolean;
  /** Print warnings with `console.warn` (each distinct warning once). @default true */
  readonly printWarnings?: boolean;
  /**
   * Write the app's YAML with cdk8s-gpu's fast writer during synth. Its output is byte-identical to cdk8s's own
   * writer (documents it cannot prove identical are written by cdk8s's writer), and it is several times faster on
   * large apps. Set `false` on any validation of an app to keep cdk8s's writer for the whole app.
   * @default true
   */
  readonly fastYamlWriter?: boolean;
}

/** Id of the construct, under the app, that holds the validations added to the app. */
const APP_HOLDER_ID = 'cdk8s-gpu';
const holders = new WeakSet<IConstruct>();

/**
 * The construct that carries `scope`'s validation. cdk8s prefixes each validation message with the path of the
 * construct that returned it, and the app's path is empty (`[] error GPU002 …`), so a validation added to the root
 * sits on a child of it, `cdk8s-gpu`, which emits nothing (`[cdk8s-gpu] error GPU002 …`). Any other scope carries
 * its own validation (`[serving] error GPU002 …`).
 */
function holderOf(scope: IConstruct): IConstruct {
  if (scope.node.path !== '') return scope;
  const found = scope.node.tryFindChild(APP_HOLDER_ID);
  if (found && holders.has(found)) return found;
  if (found) return scope; // the id is taken by a construct of the user's: keep the validation on the root
  const holder = new Construct(scope, APP_HOLDER_ID);
  holders.add(holder);
  return holder;
}

/** The JSON of each object and the result of each validation, for one synth call. */
class SynthSession {
  /** The session open on the app of `scope`, if a synth call is running. */
  public static current(scope: IConstruct): SynthSession | undefined {
    return SynthSession.byApp.get(scope.node.root);
  }

  /**
   * Wraps the synth entry points of `scope`'s app (`synth`, `synthYaml`) and of its chart (`toJson`, which
   * `Testing.synth` calls) so each call runs in a session. Each object is wrapped once.
   */
  public static install(scope: IConstruct, fastYamlWriter: boolean): void {
    const root = scope.node.root;
    if (!fastYamlWriter) SynthSession.slowYaml.add(root);
    const targets: Array<[object, string[]]> = [];
    if (root instanceof App) targets.push([root, ['synth', 'synthYaml']]);
    let chart: Chart | undefined;
    try {
      chart = Chart.of(scope);
    } catch {
      chart = undefined; // scope is the app, or not under a chart
    }
    if (chart) targets.push([chart, ['toJson']]);
    for (const [target, methods] of targets) {
      if (SynthSession.wrapped.has(target)) continue;
      SynthSession.wrapped.add(target);
      for (const m of methods) {
        const original = (target as any)[m];
        if (typeof original !== 'function') continue;
        Object.defineProperty(target, m, {
          configurable: true,
          writable: true,
          enumerable: false,
          value: function (this: any, ...args: any[]) {
            return SynthSession.run(root, () => original.apply(this, args));
          },
        });
      }
    }
  }

  /** The open session of an app (depth counts nested synth calls: App.synth → Chart.toJson). */
  private static readonly byApp = new WeakMap<IConstruct, SynthSession>();
  private static readonly wrapped = new WeakSet<object>();
  /** Apps on which a validation asked for cdk8s's own YAML writer. */
  private static readonly slowYaml = new WeakSet<IConstruct>();

  private static run<T>(root: IConstruct, fn: () => T): T {
    let session = SynthSession.byApp.get(root);
    if (session) {
      session.depth++;
    } else {
      session = new SynthSession(!SynthSession.slowYaml.has(root));
      SynthSession.byApp.set(root, session);
    }
    try {
      return fn();
    } finally {
      if (--session.depth === 0) {
        SynthSession.byApp.delete(root);
        session.close();
      }
    }
  }

  /** Results of each validation in this session. */
  public readonly results = new Map<GpuValidation, string[]>();
  private depth = 1;
  private readonly json = new Map<ApiObject, any>();
  /** Own `toJson` properties the objects had before (usually none). */
  private readonly ownToJson = new Map<ApiObject, PropertyDescriptor | undefined>();
  /** cdk8s's `Yaml.stringify`, while the fast writer stands in for it during this session. */
  private readonly yamlStringify?: typeof Yaml.stringify;

  private constructor(fastYamlWriter: boolean) {
    // The writer is swapped only for the duration of this (synchronous) synth call and put back in close().
    if (fastYamlWriter) {
      const original = Yaml.stringify;
      this.yamlStringify = original;
      Yaml.stringify = (...docs: any[]) => _stringifyDocs((...d: any[]) => original.apply(Yaml, d), docs);
    }
  }

  /** The object's JSON, serialised once per session; its `toJson()` answers with it until the session ends. */
  public jsonOf(o: ApiObject): any {
    if (this.json.has(o)) return this.json.get(o);
    const value = o.toJson(); // may throw: nothing is cached then
    this.json.set(o, value);
    this.ownToJson.set(o, Object.getOwnPropertyDescriptor(o, 'toJson'));
    Object.defineProperty(o, 'toJson', { configurable: true, writable: true, enumerable: false, value: () => value });
    return value;
  }

  private close(): void {
    if (this.yamlStringify) Yaml.stringify = this.yamlStringify;
    for (const [o, previous] of this.ownToJson) {
      if (previous) Object.defineProperty(o, 'toJson', previous);
      else delete (o as any).toJson;
    }
    this.ownToJson.clear();
    this.json.clear();
    this.results.clear();
  }
}

/**
 * Runs the cdk8s-gpu rules over every ApiObject under a chart or an app when it is synthesised: errors fail
 * synth (all listed), warnings are printed once.
 *
 * Every line, printed warning or synth error, is in the one finding format (construction-time warnings too):
 * `[<where>] <severity> <rule id> <object> <field>: <message>  Fix: <fix> (at <construct path>)`. A printed warning's
 * `<where>` is `cdk8s-gpu`; a synth error's is what cdk8s puts there, the path of the construct that holds the
 * validation: the chart it was added to, or `cdk8s-gpu` when it was added to the app (the app's own path is empty,
 * which cdk8s would print as `[]`).
 *
 * @example
 * const app = new App();
 * const chart = new Chart(app, 'inference');
 * GpuValidation.addTo(app);
 * app.synth(); // throws "Validation failed with the following errors: … error GPU002 …"
 */
export class GpuValidation implements IValidation {
  /**
   * The annotation that suppresses rules on an object (for a workload, on its pod template), its value listing
   * `<rule id>=<reason>` pairs: `cdk8s-gpu.io/suppress: "GPU004=reason,GPU006=reason"`. One annotation per rule
   * ({@link GpuValidation.suppressionKey}) keeps each reason whole.
   */
  public static readonly SUPPRESS_ANNOTATION: string = SUPPRESS_ANNOTATION;

  /**
   * Adds the validation to `scope` (a Chart, an App, or any construct: every ApiObject below it is linted).
   * Adding it twice to the same scope returns the first instance.
   */
  public static addTo(scope: IConstruct, props: GpuValidationProps = {}): GpuValidation {
    const existing = GpuValidation.byScope.get(scope);
    if (existing) return existing;
    const v = new GpuValidation(scope, props);
    GpuValidation.byScope.set(scope, v);
    holderOf(scope).node.addValidation(v);
    SynthSession.install(scope, props.fastYamlWriter ?? true);
    return v;
  }

  /**
   * Lints plain manifests with every built-in rule (the same as the `cdk8s-gpu lint` command).
   * @param manifests the objects and where they came from
   * @param disabledRules rule ids to switch off
   */
  public static validateManifests(manifests: SourcedManifest[], disabledRules?: string[]): Finding[] {
    return validateManifests(manifests, { disabledRules });
  }

  /**
   * The annotation key that suppresses one rule, its value the reason: `cdk8s-gpu.io/suppress.GPU006`. On an object or a
   * pod template for a rule; as construct context on an enclosing scope (set before its children are added) for a
   * construction-time warning (GPU8xx).
   * @param ruleId the rule's id, e.g. GPU006
   */
  public static suppressionKey(ruleId: string): string {
    if (typeof ruleId !== 'string' || !RULE_ID_PATTERN.test(ruleId)) {
      throw new GpuConfigError('GpuValidation.suppressionKey', 'ruleId', `is ${JSON.stringify(ruleId)}, not a rule id`,
        'pass an id such as GPU006 (docs/rules.md lists them)');
    }
    return `${SUPPRESS_ANNOTATION}.${ruleId}`;
  }

  /** One line for a finding: `error GPU002 apps/v1 Deployment default/vllm spec…: message  Fix: …`. */
  public static formatFinding(finding: Finding): string {
    return formatFinding(finding);
  }

  private static readonly byScope = new WeakMap<IConstruct, GpuValidation>();

  /** The construct whose ApiObjects are linted. */
  public readonly scope: IConstruct;
  private readonly props: GpuValidationProps;
  private readonly printed = new Set<string>();
  private lastFindings: Finding[] = [];

  private constructor(scope: IConstruct, props: GpuValidationProps) {
    this.scope = scope;
    this.props = props;
  }

  /** Findings of the last validation (empty before synth). */
  public get findings(): Finding[] {
    return [...this.lastFindings];
  }

  /** Lints the ApiObjects under the scope; returns the error findings as messages (called by cdk8s at synth). */
  public validate(): string[] {
    const session = SynthSession.current(this.scope);
    const done = session?.results.get(this);
    if (done) return [...done]; // cdk8s validates again within the same synth call: same objects, same answer
    const result = this.run(session);
    session?.results.set(this, result);
    return [...result];
  }

  private run(session: SynthSession | undefined): string[] {
    const manifests: SourcedManifest[] = [];
    for (const c of this.scope.node.findAll()) {
      if (!ApiObject.isApiObject(c)) continue;
      manifests.push({ object: session ? session.jsonOf(c) : c.toJson(), source: { constructPath: c.node.path } });
    }
    let findings: Finding[];
    try {
      // The gate remembers the objects that passed: a synth mostly writes the last synth's objects again (validator.ts
      // CheckOptions.rememberPasses).
      findings = _runValidation(manifests, { disabledRules: this.props.disabledRules, schemaGate: this.props.schemaGate }, {},
        { rememberPasses: true }).findings;
    } catch (e) {
      return [`cdk8s-gpu validation could not run: ${(e as Error).message}`];
    }
    this.lastFindings = findings;
    const line = (f: Finding) => {
      const where = formatSource(f.source);
      return `${formatFinding(f)}${where ? ` (at ${where})` : ''}`;
    };
    const failing = findings.filter((f) => f.severity === Severity.ERROR || this.props.failOnWarnings);
    if (this.props.printWarnings ?? true) {
      for (const f of findings) {
        if (f.severity !== Severity.WARNING || this.props.failOnWarnings) continue;
        const text = line(f);
        if (this.printed.has(text)) continue;
        this.printed.add(text);
        console.warn(`[cdk8s-gpu] ${text}`);
      }
    }
    return failing.map(line);
  }
}
