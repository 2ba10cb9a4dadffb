/**
 * The rules of the registry that CEL can check inside the API server, as ValidatingAdmissionPolicy expressions.
 *
 * Each entry restates one rule for a single object at admission time (no other manifest is visible there), so it takes
 * the rule's "no NodePool in the manifests" form: the conventional GPU taint `<vendor>/gpu:NoSchedule`. The
 * expressions read the policy's variables (see {@link ADMISSION_VARIABLES}); a test evaluates them with the
 * Kubernetes CEL libraries against every pass/fail fixture of the rule and checks that both agree.
 *
 * Kubernetes facts (ValidatingAdmissionPolicy, admissionregistration.k8s.io/v1, GA in 1.30; "Common Expression Language
 * in Kubernetes"): `object` is the incoming object after defaulting, quantities are strings (the `quantity()` library,
 * Kubernetes 1.29+, parses them), `has()` tests a field, macros over a map iterate its keys. Toleration matching is
 * the scheduler's (k8s.io/api core/v1 `Toleration.ToleratesTaint`): an empty key with `Exists` tolerates everything;
 * otherwise keys must be equal, `Exists` ignores the value, `Equal` (the default operator) needs the same value; an
 * empty effect matches every effect.
 * @internal
 */
import { CREDENTIAL_ENV, CREDENTIAL_FLAGS, HF_TOKEN_TEXT } from '../validation/rules/security';

/** A rule's check as a CEL expression. @internal */
export interface AdmissionCheck {
  /** The registry rule it restates. */
  readonly ruleId: string;
  /** CEL expression, true when the object passes. */
  readonly expression: string;
  /** How the check differs from the rule, if at all (written into the policy as an annotation-free comment in docs). */
  readonly scope: string;
}

/** A CEL variable of the policy. @internal */
export interface AdmissionVariable {
  readonly name: string;
  readonly expression: string;
}

/** GPU resource names, as src/scheduling `isGpuResourceName` (`[.]`, not `\\.`: no escapes inside the CEL string). */
const GPU_RESOURCE = '^(nvidia[.]com/(gpu|gpu[.]shared|mig-[A-Za-z0-9][-A-Za-z0-9_.]*)|amd[.]com/gpu)$';

/** A positive GPU quantity in map `m` under key `k` (quantities arrive as strings; a number is stringified). */
const positive = (m: string) => `(isQuantity(string(${m}[k])) && quantity(string(${m}[k])).isGreaterThan(quantity('0')))`;

/** Whether toleration `t` tolerates the taint `<key>:NoSchedule` with an empty value. */
function tolerates(key: string): string {
  const op = '(has(t.operator) ? t.operator : \'Equal\')';
  const keyMatch = `((!has(t.key) || t.key == '') ? ${op} == 'Exists' : (t.key == ${key} && (${op} == 'Exists' || (!has(t.value) || t.value == ''))))`;
  const effectMatch = '(!has(t.effect) || t.effect == \'\' || t.effect == \'NoSchedule\')';
  return `(${keyMatch} && ${effectMatch})`;
}

/** The policy's variables, in evaluation order. @internal */
export const ADMISSION_VARIABLES: readonly AdmissionVariable[] = [
  {
    name: 'spec',
    expression: "object.kind == 'Pod' ? object.spec : (object.kind == 'CronJob' ? object.spec.jobTemplate.spec.template.spec : object.spec.template.spec)",
  },
  {
    name: 'containers',
    expression: '(has(variables.spec.containers) ? variables.spec.containers : []) + (has(variables.spec.initContainers) ? variables.spec.initContainers : [])',
  },
  {
    // Resource names with a positive count in some container's limits or requests.
    name: 'gpuResources',
    expression: `variables.containers.map(c, has(c.resources) && has(c.resources.limits) ? c.resources.limits.filter(k, k.matches('${GPU_RESOURCE}') && ${positive('c.resources.limits')}) : [])`
      + ` + variables.containers.map(c, has(c.resources) && has(c.resources.requests) ? c.resources.requests.filter(k, k.matches('${GPU_RESOURCE}') && ${positive('c.resources.requests')}) : [])`,
  },
  {
    name: 'requestsGpu',
    expression: 'variables.gpuResources.exists(l, size(l) > 0)',
  },
  {
    // The conventional taints of the GPUs asked for (`<vendor>/gpu`).
    name: 'gpuTaintKeys',
    expression: "(variables.gpuResources.exists(l, l.exists(r, r.startsWith('nvidia.com/'))) ? ['nvidia.com/gpu'] : [])"
      + " + (variables.gpuResources.exists(l, l.exists(r, r.startsWith('amd.com/'))) ? ['amd.com/gpu'] : [])",
  },
  {
    name: 'tolerations',
    expression: 'has(variables.spec.tolerations) ? variables.spec.tolerations : []',
  },
  {
    // A node agent: a DaemonSet, or a Pod its controller created (only the controller's identity counts: a user may
    // write any ownerReference).
    name: 'nodeAgent',
    expression: "object.kind == 'DaemonSet' || (object.kind == 'Pod' && has(object.metadata.ownerReferences)"
      + " && object.metadata.ownerReferences.exists(r, r.kind == 'DaemonSet')"
      + " && request.userInfo.username in ['system:serviceaccount:kube-system:daemon-set-controller', 'system:kube-controller-manager'])",
  },
];

/** GPU702's credential variables, as a CEL list (the rule's own). */
const CREDENTIAL_ENV_CEL = `[${CREDENTIAL_ENV.map((n) => `'${n}'`).join(', ')}]`;
/** A Hugging Face token as issued (the rule's own pattern, which holds no quote or escape). */
const HF_TOKEN_CEL = HF_TOKEN_TEXT.source;
/** A value that is no credential: blank, or only a `$(VAR)` reference (spaces only: no escapes inside the CEL string). */
const NOT_WRITTEN_OUT = '^( *| *[$][(][A-Za-z_][A-Za-z0-9_]*[)] *)$';
/** The rule's credential flags, as a RE2 alternation. */
const FLAGS_CEL = `(${CREDENTIAL_FLAGS.join('|')})`;
/** A word of a command line that is a credential flag given its value (`--api-key=…`), not blank nor a reference. */
const flagWithValue = (w: string) => `(${w}.matches('^${FLAGS_CEL}=')`
  + ` && !${w}.matches('^${FLAGS_CEL}=${NOT_WRITTEN_OUT.slice(1)}'))`;

/** The checks, one per rule CEL can express. @internal */
export const ADMISSION_CHECKS: readonly AdmissionCheck[] = [
  {
    ruleId: 'GPU001',
    scope: 'GPU resources (nvidia.com/gpu, nvidia.com/gpu.shared, nvidia.com/mig-*, amd.com/gpu); the API server itself '
      + 'refuses other extended resources whose request differs from the limit',
    expression: 'variables.containers.all(c, !has(c.resources) || ('
      + `(!has(c.resources.limits) || c.resources.limits.all(k, !k.matches('${GPU_RESOURCE}') || (isQuantity(string(c.resources.limits[k]))`
      + ' && quantity(string(c.resources.limits[k])).isInteger() && quantity(string(c.resources.limits[k])).asInteger() >= 1)))'
      + ` && (!has(c.resources.requests) || c.resources.requests.all(k, !k.matches('${GPU_RESOURCE}') || (has(c.resources.limits)`
      + ' && k in c.resources.limits && isQuantity(string(c.resources.requests[k])) && isQuantity(string(c.resources.limits[k]))'
      + ' && quantity(string(c.resources.requests[k])).isInteger() && quantity(string(c.resources.requests[k])).asInteger() >= 1'
      + ' && quantity(string(c.resources.requests[k])).compareTo(quantity(string(c.resources.limits[k]))) == 0)))))',
  },
  {
    ruleId: 'GPU002',
    scope: 'the conventional taint <vendor>/gpu:NoSchedule (the rule\'s form when no NodePool offering the GPU is in the manifests)',
    expression: `variables.gpuTaintKeys.all(key, variables.tolerations.exists(t, ${tolerates('key')}))`,
  },
  {
    ruleId: 'GPU004',
    scope: 'the conventional taint nvidia.com/gpu:NoSchedule; DaemonSets and their pods exempt',
    expression: `variables.requestsGpu || variables.nodeAgent || !variables.tolerations.exists(t, ${tolerates("'nvidia.com/gpu'")})`,
  },
  {
    ruleId: 'GPU700',
    scope: 'as the rule (env values; envFrom cannot be seen); DaemonSets and their pods exempt',
    expression: 'variables.requestsGpu || variables.nodeAgent || variables.containers.all(c, !has(c.env) || c.env.all(e,'
      + " e.name != 'NVIDIA_VISIBLE_DEVICES' || (!has(e.valueFrom) && (!has(e.value) || e.value in ['', 'void', 'none']))))",
  },
  {
    ruleId: 'GPU702',
    scope: 'env values and command lines of workloads: credential variables given a value, Hugging Face tokens, credential '
      + 'flags in the --flag=value form (the two-word form and ConfigMaps are the rule\'s alone)',
    expression: 'variables.containers.all(c, (!has(c.env) || c.env.all(e, !has(e.value) || ('
      + `(!(e.name in ${CREDENTIAL_ENV_CEL}) || e.value.matches('${NOT_WRITTEN_OUT}')) && !e.value.matches('${HF_TOKEN_CEL}'))))`
      + ` && (!has(c.command) || c.command.all(w, !w.matches('${HF_TOKEN_CEL}') && !${flagWithValue('w')}))`
      + ` && (!has(c.args) || c.args.all(w, !w.matches('${HF_TOKEN_CEL}') && !${flagWithValue('w')})))`,
  },
];
