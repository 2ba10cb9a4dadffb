/**
 * cdk8s integration: lint every ApiObject of a chart or app at synth time.
 *
 * cdk8s 2.70 runs `node.validate()` on every construct of the app before it writes anything, in `App.synth()`,
 * `App.synthYaml()` and `Chart.toJson()` (hence `Testing.synth(chart)`), and throws one error listing every message
 * (node_modules/cdk8s/lib/app.js, `function validate`). So a construct validation that returns the ERROR findings
 * fails synth with all of them at once.
 */
import { ApiObject } from 'cdk8s';
import { IConstruct, IValidation } from 'constructs';
import { validateManifests } from './engine';
import { formatFinding, formatSource } from './format';
import { Finding, Severity, SourcedManifest } from './model';

/** Options of {@link GpuValidation}. */
export interface GpuValidationProps {
  /** Rule ids switched off for this scope (an unknown id fails synth). @default - none */
  readonly disabledRules?: string[];
  /** Fail synth on warnings too. @default false */
  readonly failOnWarnings?: boolean;
  /** Print warnings with `console.warn` (each distinct warning once). @default true */
  readonly printWarnings?: boolean;
}

/**
 * Runs the cdk8s-gpu rules over every ApiObject under a chart or an app when it is synthesised: errors fail
 * synth (all listed), warnings are printed once.
 *
 * @example
 * const app = new App();
 * const chart = new Chart(app, 'inference');
 * GpuValidation.addTo(app);
 * app.synth(); // throws "Validation failed with the following errors: … error GPU002 …"
 */
export class GpuValidation implements IValidation {
  /**
   * Adds the validation to `scope` (a Chart, an App, or any construct: every ApiObject below it is linted).
   * Adding it twice to the same scope returns the first instance.
   */
  public static addTo(scope: IConstruct, props: GpuValidationProps = {}): GpuValidation {
    const existing = GpuValidation.byScope.get(scope);
    if (existing) return existing;
    const v = new GpuValidation(scope, props);
    GpuValidation.byScope.set(scope, v);
    scope.node.addValidation(v);
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
    const manifests: SourcedManifest[] = this.scope.node.findAll()
      .filter((c): c is ApiObject => ApiObject.isApiObject(c))
      .map((o) => ({ object: o.toJson(), source: { constructPath: o.node.path } }));
    let findings: Finding[];
    try {
      findings = validateManifests(manifests, { disabledRules: this.props.disabledRules });
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
