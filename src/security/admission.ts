/**
 * GpuAdmissionPolicy: the registry's GPU invariants enforced by the API server itself, as ValidatingAdmissionPolicies
 * (admissionregistration.k8s.io/v1, GA in Kubernetes 1.30) and their bindings — so a `kubectl apply` of a bad pod is
 * refused even when it never went through synth or `cdk8s-gpu lint`.
 *
 * Generated from the rule registry: each policy validation is one rule's check (src/security/admission-checks.ts) with
 * the rule's id, title and remediation as its message. Two policies, because a binding has one set of actions:
 * `<name>-errors` holds the ERROR rules and denies; `<name>-warnings` holds the WARNING rules and answers with a kubectl
 * warning (or denies, with `denyWarnings`), as `cdk8s-gpu lint` grades them.
 *
 * What it matches: Pods on CREATE (a running pod's spec barely changes, and a controller updating an old pod must not
 * be blocked), and Deployments, StatefulSets, DaemonSets, ReplicaSets, Jobs and CronJobs on CREATE and UPDATE (so the
 * refusal reaches the user who applied the workload, not a controller's event). Namespaces listed in
 * `exemptNamespaces` (system add-ons) are left alone. A CEL error denies (`failurePolicy: Fail`).
 */
import { ApiObject } from 'cdk8s';
import * as kplus from 'cdk8s-plus-30';
import { Construct } from 'constructs';
import { ADMISSION_CHECKS, ADMISSION_VARIABLES, AdmissionCheck } from './admission-checks';
import { GpuConfigError } from '../errors';
import { NameRule, validateDns1123Name } from '../naming';
import { describeValue as describe } from '../private/describe';
import { Severity } from '../validation/model';
import { defaultRegistry } from '../validation/registry';

/** Props of {@link GpuAdmissionPolicy}. */
export interface GpuAdmissionPolicyProps {
  /** Name prefix of the policies and bindings (`<name>-errors`, `<name>-warnings`). @default 'cdk8s-gpu' */
  readonly name?: string;
  /**
   * Namespaces the policies do not apply to: system add-ons whose pods legitimately break the invariants (the GPU
   * Operator's validator pods, for instance).
   * @default ['kube-system']
   */
  readonly exemptNamespaces?: string[];
  /** Deny what the WARNING rules find instead of warning. @default false */
  readonly denyWarnings?: boolean;
}

/** The ValidatingAdmissionPolicies (and bindings) of the GPU invariants CEL can check. */
export class GpuAdmissionPolicy extends Construct {
  /** Ids of the rules the policies check. */
  public static readonly RULE_IDS: string[] = ADMISSION_CHECKS.map((c) => c.ruleId);

  /** The policy denying what ERROR rules find. */
  public readonly errorsPolicy: ApiObject;
  /** Its binding. */
  public readonly errorsBinding: ApiObject;
  /** The policy for WARNING rules. */
  public readonly warningsPolicy: ApiObject;
  /** Its binding. */
  public readonly warningsBinding: ApiObject;

  constructor(scope: Construct, id: string, props: GpuAdmissionPolicyProps = {}) {
    super(scope, id);
    if (props === null || typeof props !== 'object' || Array.isArray(props)) {
      throw new GpuConfigError(this, 'props', `is ${describe(props)}, not an object`, 'pass { exemptNamespaces, denyWarnings } or leave props out');
    }
    const name = props.name ?? 'cdk8s-gpu';
    validateDns1123Name(this, 'name', name, NameRule.DNS1123_SUBDOMAIN, 244);
    const exempt = props.exemptNamespaces ?? ['kube-system'];
    if (!Array.isArray(exempt)) {
      throw new GpuConfigError(this, 'exemptNamespaces', `is ${describe(exempt)}, not an array`, 'pass a list of namespace names, e.g. [\'kube-system\']');
    }
    exempt.forEach((ns, i) => validateDns1123Name(this, `exemptNamespaces[${i}]`, ns, NameRule.DNS1123_LABEL));
    if (props.denyWarnings !== undefined && typeof props.denyWarnings !== 'boolean') {
      throw new GpuConfigError(this, 'denyWarnings', `is ${describe(props.denyWarnings)}, not a boolean`, 'pass true or false, or omit it');
    }

    const registry = defaultRegistry();
    const bySeverity = (s: Severity) => ADMISSION_CHECKS.filter((c) => registry.get(c.ruleId)!.severity === s);
    const make = (suffix: string, checks: readonly AdmissionCheck[], actions: string[]) => {
      const policyName = `${name}-${suffix}`;
      const policy = new kplus.k8s.KubeValidatingAdmissionPolicy(this, `${suffix}-policy`, {
        metadata: { name: policyName, labels: { 'app.kubernetes.io/managed-by': 'cdk8s-gpu' } },
        spec: {
          failurePolicy: 'Fail',
          matchConstraints: {
            resourceRules: [
              { apiGroups: [''], apiVersions: ['v1'], operations: ['CREATE'], resources: ['pods'] },
              { apiGroups: ['apps'], apiVersions: ['v1'], operations: ['CREATE', 'UPDATE'], resources: ['deployments', 'statefulsets', 'daemonsets', 'replicasets'] },
              { apiGroups: ['batch'], apiVersions: ['v1'], operations: ['CREATE', 'UPDATE'], resources: ['jobs', 'cronjobs'] },
            ],
          },
          variables: ADMISSION_VARIABLES.map((v) => ({ name: v.name, expression: v.expression })),
          validations: checks.map((c) => {
            const rule = registry.get(c.ruleId)!;
            return { expression: c.expression, message: `${rule.id}: ${rule.title}. Fix: ${rule.remediation}`, reason: 'Invalid' };
          }),
        },
      });
      const binding = new kplus.k8s.KubeValidatingAdmissionPolicyBinding(this, `${suffix}-binding`, {
        metadata: { name: policyName, labels: { 'app.kubernetes.io/managed-by': 'cdk8s-gpu' } },
        spec: {
          policyName,
          validationActions: actions,
          ...(exempt.length > 0 ? {
            matchResources: {
              namespaceSelector: { matchExpressions: [{ key: 'kubernetes.io/metadata.name', operator: 'NotIn', values: [...exempt] }] },
            },
          } : {}),
        },
      });
      return { policy, binding };
    };
    const errors = make('errors', bySeverity(Severity.ERROR), ['Deny']);
    const warnings = make('warnings', bySeverity(Severity.WARNING), props.denyWarnings ? ['Deny'] : ['Warn']);
    this.errorsPolicy = errors.policy;
    this.errorsBinding = errors.binding;
    this.warningsPolicy = warnings.policy;
    this.warningsBinding = warnings.binding;
  }
}
