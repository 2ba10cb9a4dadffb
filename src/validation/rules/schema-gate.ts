/**
 * The engine's own findings, as rules so they have ids, docs and suppressions like any other: GPU009 (an object is
 * not valid against its schema — the schema gate, src/schema) and GPU010 (a rule failed on an object). Their checks
 * yield nothing: the engine (engine.ts) reports them, before and around the other rules.
 */
import { Severity } from '../model';
import { Rule } from '../rule';

/** GPU009 — schema violations: what the API server (strict field validation) would refuse. */
export const SCHEMA_VIOLATION: Rule = {
  id: 'GPU009',
  title: 'Every object must be valid against its Kubernetes or CRD schema',
  severity: Severity.ERROR,
  kinds: ['*'],
  remediation: 'Fix the field as the message says (unknown fields are usually misspelt, e.g. `resource:` for '
    + '`resources:`); `kubectl apply --dry-run=server` reports the same.',
  description: 'Before any rule runs, every object of a known kind is validated against its schema, as '
    + '`kubectl apply` with strict field validation (the default since Kubernetes 1.27) would: unknown fields '
    + 'rejected, types, enums, formats, bounds and required fields checked, and the CRDs\' CEL '
    + '`x-kubernetes-validations` rules evaluated after the schema defaults are applied. Built-in kinds use the '
    + 'Kubernetes 1.30 OpenAPI (as shipped in cdk8s-plus-30\'s `k8s` bindings) plus the API server\'s own checks that '
    + 'matter here: enums, names, selectors, node and pod affinity (operators are case-sensitive), topology spread, probes and '
    + 'lifecycle hooks, container ports, volumes, env, security contexts, Deployment and DaemonSet rollouts (`maxSurge` and '
    + '`maxUnavailable` not both 0, and for a DaemonSet not both non-zero either), a Deployment\'s `progressDeadlineSeconds` '
    + '(600 when absent) above its `minReadySeconds`, no `activeDeadlineSeconds` in a Deployment, ReplicaSet, DaemonSet or '
    + 'StatefulSet template, StatefulSets (a DNS-label name, pod management and update strategy, `volumeClaimTemplates`), '
    + 'PersistentVolumeClaims and ephemeral volume claims (an access mode, a `storage` request above zero), Service ports '
    + '(a `targetPort` number or IANA name, a `nodePort` only off ClusterIP, each port and protocol once), '
    + 'PodDisruptionBudgets (`minAvailable` or `maxUnavailable`, an integer or a percentage up to 100%: a quoted `"1"` '
    + 'is refused), ResourceQuota hard limits not negative, LimitRanges as stored (a `Container` item\'s `max` is its '
    + '`default` and that its `defaultRequest` when absent; then min <= default request <= default <= max, and a GPU\'s '
    + '`default` equal to its `defaultRequest`), a pod\'s `activeDeadlineSeconds` from 1 (0 is not "none"), '
    + 'container resource names (`limits: {gpu: 1}` is refused), requests equal to limits for extended resources and '
    + 'huge pages, Jobs (a `restartPolicy`, Indexed completions, pod failure policies), HorizontalPodAutoscalers '
    + '(`minReplicas: 0` is refused without an alpha feature gate; scale to zero with KEDA) and PriorityClass values. Fields '
    + 'the API server defaults before validating (a pod failure policy\'s condition `status`) are not required. Custom '
    + 'resources use every CRD in '
    + 'the package\'s `crds/` folder (Karpenter v1.14.1, KEDA v2.20.2, prometheus-operator v0.93.0, GPU Operator '
    + 'v26.7.0, and whatever later versions of the package vendor there). An invalid object gets one finding per '
    + 'violation and no other rule judges it, so a wrong type is one clear finding instead of a misleading one. '
    + 'A field written `null`, or left empty in YAML (`labels:`), is not set, as the API server reads it (JSON decoding '
    + 'leaves it unset, and a CRD\'s structural schema prunes it): a required one is missing, an unknown one still unknown. '
    + 'Objects of kinds with no schema are not judged (the summary counts them). Switch the gate off with '
    + '`--no-schema` (CLI) or `schemaGate: false`; suppressing GPU009 on an object lets the rules judge it anyway. '
    + 'A StatefulSet\'s pod template and claim templates are judged like any pod\'s and claim\'s: the API server checks them '
    + 'from Kubernetes 1.34 on (kubernetes/kubernetes#131790, #132212); before, it accepts the StatefulSet and refuses each '
    + 'pod or claim its controller creates (FailedCreate events), so nothing runs either way. '
    + 'Known limit: built-in numbers are not split into integer and double by the bindings; counts the GPU rules '
    + 'read (replicas, parallelism, completions, GPU quantities) are checked as integers. '
    + 'See https://kubernetes.io/docs/reference/using-api/api-concepts/#field-validation.',
  *check() { /* reported by the engine */ },
};

/** GPU010 — a rule failed on an object: the object is reported, every other object is still checked. */
export const RULE_FAILED: Rule = {
  id: 'GPU010',
  title: 'Every rule must be able to judge every object',
  severity: Severity.ERROR,
  kinds: ['*'],
  remediation: 'Check the object\'s fields named in the message; if the object is valid, report the failure to '
    + 'cdk8s-gpu with the object attached.',
  description: 'A rule that fails on an object (a shape it did not expect) is reported as a finding naming the rule '
    + 'and the object, and every other object is still checked by that rule and all others: one odd object never '
    + 'hides the findings of its neighbours. With the schema gate on, this should only happen for objects of kinds '
    + 'without a schema or with GPU009 suppressed.',
  *check() { /* reported by the engine */ },
};
