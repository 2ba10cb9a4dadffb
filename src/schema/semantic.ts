/**
 * Hand-written API server checks for built-in kinds that no OpenAPI schema carries, restated from the
 * Kubernetes API reference and k8s.io/kubernetes/pkg/apis/{core,apps,batch}/validation (behaviour only):
 * enum fields, pod spec names and references, extended resources, tolerations, selectors vs template labels.
 */
import { dns1123LabelErrors, labelMapErrors, labelsAndAnnotationsErrors, labelValueErrors, NO_ERRORS, pushAll, pushPrefixed, qualifiedNameErrors } from './object-meta';
import { hasOwn, someOwnKey } from '../private/keys';
import { defaultLimitRangeItem } from '../private/limit-range';
import { memoPerString } from '../private/memo';
import { quantityOf } from '../private/quantity';

const ENUMS: Record<string, string[]> = {
  restartPolicy: ['Always', 'OnFailure', 'Never'],
  imagePullPolicy: ['Always', 'IfNotPresent', 'Never'],
  dnsPolicy: ['ClusterFirstWithHostNet', 'ClusterFirst', 'Default', 'None'],
  protocol: ['TCP', 'UDP', 'SCTP'],
  preemptionPolicy: ['PreemptLowerPriority', 'Never'],
};

/**
 * A huge-page resource (`hugepages-<size>`, `IsHugePageResourceName`). Like every non-native resource, the API server
 * forbids overcommitting it (`helper.IsOvercommitAllowed`): a request must have a limit, equal to it. Judged here
 * whatever `checkExtendedResources` says: no rule judges huge pages.
 */
function isHugePages(name: string): boolean {
  return name.startsWith('hugepages-');
}

/**
 * A name outside the `kubernetes.io` namespace (not `IsNativeResource`: it has a `/` and does not contain
 * `kubernetes.io/`), e.g. `nvidia.com/gpu`: not overcommitable. Native names (`cpu`, `example.kubernetes.io/x`) are.
 */
function isNonNative(name: string): boolean {
  return name.includes('/') && !name.includes('kubernetes.io/');
}

/** The unprefixed resource names a container may ask for (`IsStandardContainerResourceName`), huge pages aside. */
const CONTAINER_RESOURCES = new Set(['cpu', 'memory', 'ephemeral-storage']);

/**
 * Why the API server refuses `name` as a container's resource (`validateContainerResourceName`: a qualified name;
 * unprefixed, one of {@link CONTAINER_RESOURCES} or `hugepages-<size>`; prefixed outside `kubernetes.io`, an extended
 * resource name, i.e. `requests.<name>` is a qualified name too and the name does not start with `requests.`). Empty
 * when it accepts it. Remembered per name: a run asks it of the same few names for every container.
 */
const containerResourceNameErrors = memoPerString((name: string): string[] => {
  const errs = [...qualifiedNameErrors(name)];
  if (!name.includes('/')) {
    if (!CONTAINER_RESOURCES.has(name) && !isHugePages(name)) errs.push('must be a standard resource for containers');
  } else if (isNonNative(name) && (name.startsWith('requests.') || qualifiedNameErrors(`requests.${name}`).length > 0)) {
    errs.push('doesn\'t follow extended resource name standard');
  }
  return errs.length === 0 ? NO_ERRORS : errs;
}, 1_000);

/** A resource map's own keys when it is a map (the schema reports any other type): none otherwise. */
function resourceMapOf(m: unknown): Record<string, unknown> {
  return m && typeof m === 'object' && !Array.isArray(m) ? m as Record<string, unknown> : {};
}

/**
 * The errors of a container's resource names ({@link containerResourceNameErrors}) and huge-page quantities
 * (`ValidateResourceRequirements`): each a whole multiple of its page size (`IsHugePageResourceValueDivisible`:
 * `hugepages-2Mi: 3Mi` is refused), and the container asks for cpu or memory too. One pass over both maps; the
 * huge-page errors follow the name errors. Whether a request equals its limit is judged with the other requests.
 */
function pushResourceKeyErrors(errs: string[], limits: Record<string, unknown>, requests: Record<string, unknown>, path: string): void {
  let hugePages = false;
  let cpuOrMemory = false;
  let hugePageErrs: string[] | undefined;
  for (const [field, m] of [['limits', limits], ['requests', requests]] as const) {
    for (const name in m) {
      if (!hasOwn(m, name)) continue;
      const ne = containerResourceNameErrors(name);
      if (ne.length > 0) pushPrefixed(errs, ne, `${path}.${field}[${JSON.stringify(name)}]: Invalid value: ${JSON.stringify(name)}: `);
      if (name === 'cpu' || name === 'memory') cpuOrMemory = true;
      if (!isHugePages(name)) continue;
      hugePages = true;
      const value = quantityOf(m[name]);
      if (value === undefined) continue; // (not a quantity: the schema says so)
      const page = quantityOf(name.slice('hugepages-'.length));
      if (page !== undefined && page > 0 && Number.isInteger(page) && Math.ceil(value) % page === 0) continue;
      (hugePageErrs ??= []).push(`${path}.${field}[${JSON.stringify(name)}]: Invalid value: ${JSON.stringify(m[name])}: ${String(m[name])} is not positive integer multiple of ${name}`);
    }
  }
  if (hugePageErrs) pushAll(errs, hugePageErrs);
  if (hugePages && !cpuOrMemory) errs.push(`${path}: Forbidden: HugePages require cpu or memory`);
}

const IANA_SVC_NAME = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/;
const MAX_INT32 = 2_147_483_647;
const ENV_VAR_NAME = /^[-._a-zA-Z][-._a-zA-Z0-9]*$/;


/** `IsValidPortName`: an IANA service name, at most 15 lowercase alphanumerics and '-', with a letter, no '--'. */
function isPortName(s: string): boolean {
  return s.length <= 15 && IANA_SVC_NAME.test(s) && /[a-z]/.test(s) && !s.includes('--');
}

const PORT_NAME = 'must be an IANA_SVC_NAME (at most 15 characters, lowercase alphanumerics and \'-\', with at least one letter)';
const PORT_RANGE = 'must be between 1 and 65535, inclusive';

/**
 * `ValidatePortNumOrName` on a probe's or hook's `port` (an int-or-string): a number 1-65535, or a port name. A quoted
 * number (`port: "8000"`) is a string to the API server, so it is judged, and refused, as a name. Other types: the
 * schema reports them.
 */
function pushPortErrors(errs: string[], port: unknown, path: string, namesAllowed = true): void {
  if (typeof port === 'number') {
    if (!(Number.isInteger(port) && port >= 1 && port <= 65535)) errs.push(`${path}: Invalid value: ${port}: ${PORT_RANGE}`);
  } else if (typeof port === 'string' && namesAllowed && !isPortName(port)) {
    errs.push(`${path}: Invalid value: ${JSON.stringify(port)}: ${PORT_NAME}`);
  }
}

/** A probe's handler types (`ProbeHandler`) and a lifecycle hook's (`LifecycleHandler`), in the API server's order. */
const PROBE_HANDLERS = ['exec', 'httpGet', 'tcpSocket', 'grpc'];
const LIFECYCLE_HANDLERS = ['exec', 'httpGet', 'tcpSocket', 'sleep'];
const HTTP_SCHEMES = ['HTTP', 'HTTPS'];

/**
 * `validateHandler`: exactly one handler type (none: "must specify a handler type"; a second: "may not specify more than
 * 1 handler type"), an exec command, and valid ports and scheme. An empty `path` or `scheme` is defaulted (`/`, `HTTP`)
 * before validation, so only a written scheme is judged.
 */
function pushHandlerErrors(errs: string[], h: any, path: string, types: readonly string[]): void {
  let found = 0;
  for (const type of types) {
    const a = h[type];
    if (a === undefined || a === null) continue;
    if (found++ > 0) {
      errs.push(`${path}.${type}: Forbidden: may not specify more than 1 handler type`);
      continue;
    }
    if (!a || typeof a !== 'object') continue; // (the schema reports it)
    if (type === 'exec' && !(Array.isArray(a.command) && a.command.length > 0)) errs.push(`${path}.exec.command: Required value`);
    if (type === 'httpGet' || type === 'tcpSocket' || type === 'grpc') pushPortErrors(errs, a.port, `${path}.${type}.port`, type !== 'grpc');
    if (type === 'httpGet' && a.scheme !== undefined && a.scheme !== '') pushEnumError(errs, () => `${path}.httpGet`, 'scheme', a.scheme, HTTP_SCHEMES);
  }
  if (found === 0) errs.push(`${path}: Required value: must specify a handler type`);
}

const PROBES = ['livenessProbe', 'readinessProbe', 'startupProbe'];
const PROBE_COUNTS = ['initialDelaySeconds', 'timeoutSeconds', 'periodSeconds', 'successThreshold', 'failureThreshold'];

/**
 * A container's probes and lifecycle hooks (`validateContainers`, `validateInitContainers`, `validateProbe`): none on
 * an init container that is not a sidecar (`restartPolicy: Always`); each probe with one handler, counts not negative,
 * and a liveness or startup probe's `successThreshold` 1 (0 is defaulted to 1).
 */
function pushProbeErrors(errs: string[], c: any, path: string, init: boolean): void {
  const plainInit = init && c.restartPolicy !== 'Always';
  for (const field of ['lifecycle', ...PROBES]) {
    const v = c[field];
    if (v === undefined || v === null) continue;
    if (plainInit) {
      errs.push(`${path}.${field}: Forbidden: may not be set for init containers without restartPolicy=Always`);
      continue;
    }
    if (!v || typeof v !== 'object' || Array.isArray(v)) continue; // (the schema reports it)
    if (field === 'lifecycle') {
      for (const hook of ['postStart', 'preStop']) {
        const h = v[hook];
        if (h && typeof h === 'object' && !Array.isArray(h)) pushHandlerErrors(errs, h, `${path}.lifecycle.${hook}`, LIFECYCLE_HANDLERS);
      }
      continue;
    }
    pushHandlerErrors(errs, v, `${path}.${field}`, PROBE_HANDLERS);
    for (const count of PROBE_COUNTS) {
      const n = v[count];
      if (typeof n === 'number' && n < 0) errs.push(`${path}.${field}.${count}: Invalid value: ${n}: must be greater than or equal to 0`);
    }
    const st = v.successThreshold;
    if (field !== 'readinessProbe' && typeof st === 'number' && st > 1) errs.push(`${path}.${field}.successThreshold: Invalid value: ${st}: must be 1`);
    const grace = v.terminationGracePeriodSeconds;
    if (typeof grace === 'number' && grace <= 0) errs.push(`${path}.${field}.terminationGracePeriodSeconds: Invalid value: ${grace}: must be greater than 0`);
  }
}

function enumError(path: string, field: string, value: unknown, allowed = ENUMS[field]): string[] {
  if (value === undefined || allowed.includes(value as string)) return NO_ERRORS;
  return [`${path}.${field}: Unsupported value: ${JSON.stringify(value)}: supported values: ${allowed.map((a) => JSON.stringify(a)).join(', ')}`];
}

/** {@link enumError} appended to `errs` (the path is built only for an error). */
function pushEnumError(errs: string[], path: () => string, field: string, value: unknown, allowed = ENUMS[field]): void {
  if (value === undefined || allowed.includes(value as string)) return;
  pushAll(errs, enumError(path(), field, value, allowed));
}

/**
 * A list field (`undefined`: none): throws, as the `forEach` these loops replaced did, for anything but an array
 * (semanticErrors' caller then adds nothing to the schema's own type error for it).
 */
function listOf(v: unknown): readonly any[] {
  if (v === undefined || v === null) return NO_ERRORS;
  if (!Array.isArray(v)) throw new TypeError('not a list');
  return v;
}

// (The checks below run for every container of every workload of a run: they loop by index and over keys with
// `for…in` and build a field's path or message only for an error, so a valid object costs few allocations.)

function containerErrors(c: any, path: string, volumeNames: Set<string>, init: boolean): string[] {
  const errs: string[] = [];
  if (typeof c?.name === 'string') {
    const ne = dns1123LabelErrors(c.name);
    if (ne.length > 0) pushPrefixed(errs, ne, `${path}.name: Invalid value: ${JSON.stringify(c.name)}: `);
  }
  if (c && typeof c === 'object' && (typeof c.image !== 'string' || c.image.trim() === '')) errs.push(`${path}.image: Required value`);
  pushEnumError(errs, () => path, 'imagePullPolicy', c.imagePullPolicy);
  const ports = listOf(c.ports);
  let portNames: Set<string> | undefined;
  for (let i = 0; i < ports.length; i++) {
    if (!(i in ports)) continue; // (as forEach)
    const p = ports[i];
    if (typeof p.containerPort === 'number' && (p.containerPort < 1 || p.containerPort > 65535 || !Number.isInteger(p.containerPort))) {
      errs.push(`${path}.ports[${i}].containerPort: Invalid value: ${p.containerPort}: ${PORT_RANGE}`);
    }
    if (typeof p.name === 'string' && p.name !== '') {
      if (!isPortName(p.name)) errs.push(`${path}.ports[${i}].name: Invalid value: ${JSON.stringify(p.name)}: ${PORT_NAME}`);
      else if ((portNames ??= new Set()).has(p.name)) errs.push(`${path}.ports[${i}].name: Duplicate value: ${JSON.stringify(p.name)}`);
      else portNames.add(p.name);
    }
    pushEnumError(errs, () => `${path}.ports[${i}]`, 'protocol', p.protocol);
  }
  if (c && typeof c === 'object') pushProbeErrors(errs, c, path, init);
  if (c?.securityContext && typeof c.securityContext === 'object') pushSecurityContextErrors(errs, c.securityContext, `${path}.securityContext`, true);
  const env = listOf(c.env);
  for (let i = 0; i < env.length; i++) {
    if (!(i in env)) continue;
    const e = env[i];
    if (typeof e?.name === 'string' && !ENV_VAR_NAME.test(e.name)) {
      errs.push(`${path}.env[${i}].name: Invalid value: ${JSON.stringify(e.name)}: a valid environment variable name must consist of alphabetic characters, digits, '_', '-', or '.', and must not start with a digit`);
    }
    if (e?.valueFrom && typeof e.valueFrom === 'object' && !Array.isArray(e.valueFrom)) pushValueFromErrors(errs, e, `${path}.env[${i}].valueFrom`);
  }
  const mounts = listOf(c.volumeMounts);
  let mountPaths: Set<string> | undefined;
  for (let i = 0; i < mounts.length; i++) {
    if (!(i in mounts)) continue;
    const m = mounts[i];
    if (typeof m?.name === 'string' && !volumeNames.has(m.name)) errs.push(`${path}.volumeMounts[${i}].name: Not found: ${JSON.stringify(m.name)}`);
    if (typeof m?.mountPath === 'string') {
      if ((mountPaths ??= new Set()).has(m.mountPath)) errs.push(`${path}.volumeMounts[${i}].mountPath: Invalid value: ${JSON.stringify(m.mountPath)}: must be unique`);
      mountPaths.add(m.mountPath);
    }
  }
  const limits = c.resources?.limits ?? {};
  const requests = c.resources?.requests ?? {};
  // (Merging the two maps is slow and runs for every container; it is needed only when a quantity is negative, which
  // the plain maps of almost every container rule out in one cheap pass: same errors, in the merged map's order.)
  if (mayHoldNegativeQuantity(limits) || mayHoldNegativeQuantity(requests)) {
    for (const [name, q] of Object.entries<any>({ ...limits, ...requests })) {
      const v = quantityOf(q);
      if (v !== undefined && v < 0) errs.push(`${path}.resources: Invalid value: ${JSON.stringify(q)}: ${name} must be greater than or equal to 0`);
    }
  }
  pushResourceKeyErrors(errs, resourceMapOf(limits), resourceMapOf(requests), `${path}.resources`);
  for (const name in requests) {
    if (!hasOwn(requests, name)) continue;
    const rq = requests[name];
    const r = quantityOf(rq);
    const l = quantityOf(limits[name]);
    if (isHugePages(name)) {
      // Not overcommitable: a limit, equal to the request.
      if (limits[name] === undefined) errs.push(`${path}.resources.limits: Required value: Limit must be set for non overcommitable resources (${name})`);
      else if (r !== undefined && l !== undefined && r !== l) errs.push(`${path}.resources.requests: Invalid value: ${JSON.stringify(rq)}: must be equal to ${name} limit of ${JSON.stringify(limits[name])}`);
    } else if (isNonNative(name)) {
      if (!checkExtendedResources) continue;
      if (r !== undefined && !Number.isInteger(r)) errs.push(`${path}.resources.requests[${JSON.stringify(name)}]: Invalid value: ${JSON.stringify(rq)}: must be an integer`);
      if (limits[name] === undefined) errs.push(`${path}.resources.limits: Required value: Limit must be set for non overcommitable resources (${name})`);
      else if (r !== l) errs.push(`${path}.resources.requests: Invalid value: ${JSON.stringify(rq)}: must be equal to ${name} limit of ${JSON.stringify(limits[name])}`);
    } else if (r !== undefined && l !== undefined && r > l) {
      errs.push(`${path}.resources.requests: Invalid value: ${JSON.stringify(rq)}: must be less than or equal to ${name} limit of ${JSON.stringify(limits[name])}`);
    }
  }
  if (checkExtendedResources) {
    for (const name in limits) {
      if (!hasOwn(limits, name) || !isNonNative(name)) continue;
      const lq = limits[name];
      const l = quantityOf(lq);
      if (l !== undefined && !Number.isInteger(l)) errs.push(`${path}.resources.limits[${JSON.stringify(name)}]: Invalid value: ${JSON.stringify(lq)}: must be an integer`);
    }
  }
  return errs;
}

/** Whether a resource map may hold a negative quantity: false only for a plain map none of whose values parses negative. */
function mayHoldNegativeQuantity(m: unknown): boolean {
  if (!m || typeof m !== 'object' || Array.isArray(m)) return true;
  for (const k in m) {
    if (!hasOwn(m, k)) continue;
    const v = quantityOf((m as any)[k]);
    if (v !== undefined && v < 0) return true;
  }
  return false;
}

/** Checks of a PodSpec at `path`; `restartPolicies` restricts restartPolicy for the owning workload kind. */
export function podSpecErrors(spec: any, path: string, restartPolicies = ENUMS.restartPolicy): string[] {
  if (!spec || typeof spec !== 'object') return [];
  const errs: string[] = [];
  if (Array.isArray(spec.containers) && spec.containers.length === 0) errs.push(`${path}.containers: Required value`);
  const volumeNames = new Set<string>();
  const volumes = listOf(spec.volumes);
  // (one pass; a volume's second source is reported after every name error, as before)
  let sourceErrs: string[] | undefined;
  for (let i = 0; i < volumes.length; i++) {
    if (!(i in volumes)) continue;
    const v = volumes[i];
    if (v && typeof v === 'object') {
      // (no source at all is defaulted to an emptyDir before validation: only a second one is refused)
      let sources = 0;
      for (const k in v) {
        if (hasOwn(v, k) && VOLUME_SOURCES.has(k) && v[k] !== null && sources++ > 0) {
          (sourceErrs ??= []).push(`${path}.volumes[${i}].${k}: Forbidden: may not specify more than 1 volume type`);
        }
      }
    }
    const claim = v?.ephemeral?.volumeClaimTemplate;
    if (claim && typeof claim === 'object') pushPvcSpecErrors(sourceErrs ??= [], claim.spec, `${path}.volumes[${i}].ephemeral.volumeClaimTemplate.spec`);
    if (typeof v?.name !== 'string') continue;
    const ne = dns1123LabelErrors(v.name);
    if (ne.length > 0) pushPrefixed(errs, ne, `${path}.volumes[${i}].name: Invalid value: ${JSON.stringify(v.name)}: `);
    if (volumeNames.has(v.name)) errs.push(`${path}.volumes[${i}].name: Duplicate value: ${JSON.stringify(v.name)}`);
    volumeNames.add(v.name);
  }
  if (sourceErrs) pushAll(errs, sourceErrs);
  const names = new Set<string>();
  for (const field of CONTAINER_FIELDS) {
    const list = listOf(spec[field]);
    for (let i = 0; i < list.length; i++) {
      if (!(i in list)) continue;
      const c = list[i];
      const p = `${path}.${field}[${i}]`;
      if (typeof c?.name === 'string') {
        if (names.has(c.name)) errs.push(`${p}.name: Duplicate value: ${JSON.stringify(c.name)}`);
        names.add(c.name);
      }
      pushAll(errs, containerErrors(c, p, volumeNames, field === 'initContainers'));
    }
  }
  pushEnumError(errs, () => path, 'restartPolicy', spec.restartPolicy, restartPolicies);
  // (`ValidatePodSpec`: a pod's deadline is 1 s to MaxInt32; 0 does not mean "none")
  const deadline = spec.activeDeadlineSeconds;
  if (typeof deadline === 'number' && !(deadline >= 1 && deadline <= MAX_INT32)) {
    errs.push(`${path}.activeDeadlineSeconds: Invalid value: ${deadline}: must be between 1 and ${MAX_INT32}, inclusive`);
  }
  pushEnumError(errs, () => path, 'dnsPolicy', spec.dnsPolicy);
  pushEnumError(errs, () => path, 'preemptionPolicy', spec.preemptionPolicy);
  if (spec.nodeSelector) pushAll(errs, labelMapErrors(spec.nodeSelector, path, 'nodeSelector'));
  const tolerations = listOf(spec.tolerations);
  for (let i = 0; i < tolerations.length; i++) {
    if (!(i in tolerations)) continue;
    const t = tolerations[i];
    const p = () => `${path}.tolerations[${i}]`;
    pushEnumError(errs, p, 'operator', t.operator, TOLERATION_OPERATORS);
    pushEnumError(errs, p, 'effect', t.effect, TAINT_EFFECTS);
    if (t.operator === 'Exists' && t.value) errs.push(`${p()}.operator: Invalid value: "Exists": value must be empty when \`operator\` is 'Exists'`);
    if (!t.key && t.operator !== 'Exists') errs.push(`${p()}.operator: Invalid value: ${JSON.stringify(t.operator ?? 'Equal')}: operator must be Exists when \`key\` is empty, which means "match all values and all keys"`);
    if (t.key) {
      const ke = qualifiedNameErrors(t.key);
      if (ke.length > 0) pushPrefixed(errs, ke, `${p()}.key: Invalid value: ${JSON.stringify(t.key)}: `);
    }
    if (t.tolerationSeconds !== undefined && t.effect !== 'NoExecute') errs.push(`${p()}.effect: Invalid value: ${JSON.stringify(t.effect)}: effect must be 'NoExecute' when \`tolerationSeconds\` is set`);
  }
  if (spec.securityContext && typeof spec.securityContext === 'object') pushSecurityContextErrors(errs, spec.securityContext, `${path}.securityContext`, false);
  const nodeAffinity = spec.affinity?.nodeAffinity;
  if (nodeAffinity && typeof nodeAffinity === 'object') pushNodeAffinityErrors(errs, nodeAffinity, `${path}.affinity.nodeAffinity`);
  for (const kind of ['podAffinity', 'podAntiAffinity']) {
    const pa = spec.affinity?.[kind];
    if (pa && typeof pa === 'object') pushPodAffinityErrors(errs, pa, `${path}.affinity.${kind}`);
  }
  pushTopologySpreadErrors(errs, spec.topologySpreadConstraints, `${path}.topologySpreadConstraints`);
  return errs;
}

const ID_RANGE = `must be between 0 and ${MAX_INT32}, inclusive`;
/** A written user or group id outside `IsValidUserID`'s and `IsValidGroupID`'s range. */
const outsideIdRange = (v: unknown): v is number => typeof v === 'number' && (v < 0 || v > MAX_INT32);
const SECCOMP_TYPES = ['Localhost', 'RuntimeDefault', 'Unconfined'];

/**
 * `ValidateSecurityContext` (a container's) and `ValidatePodSecurityContext`: user and group ids in 0-2147483647
 * (`IsValidUserID`, `IsValidGroupID`), a seccomp profile whose `localhostProfile` is set exactly when its type is
 * `Localhost`, and, on a container, no `allowPrivilegeEscalation: false` beside `privileged: true` or an added
 * `CAP_SYS_ADMIN` (spelled so: the API server compares the string, and accepts `SYS_ADMIN`).
 */
function pushSecurityContextErrors(errs: string[], sc: any, path: string, container: boolean): void {
  for (const field of container ? ['runAsUser', 'runAsGroup'] : ['runAsUser', 'runAsGroup', 'fsGroup']) {
    const v = sc[field];
    if (outsideIdRange(v)) errs.push(`${path}.${field}: Invalid value: ${v}: ${ID_RANGE}`);
  }
  if (!container && Array.isArray(sc.supplementalGroups)) {
    sc.supplementalGroups.forEach((g: unknown, i: number) => {
      if (outsideIdRange(g)) errs.push(`${path}.supplementalGroups[${i}]: Invalid value: ${g}: ${ID_RANGE}`);
    });
  }
  const sp = sc.seccompProfile;
  if (sp && typeof sp === 'object' && !Array.isArray(sp)) {
    pushEnumError(errs, () => `${path}.seccompProfile`, 'type', sp.type, SECCOMP_TYPES);
    const local = sp.localhostProfile !== undefined && sp.localhostProfile !== null;
    if (sp.type === 'Localhost' && !local) errs.push(`${path}.seccompProfile.localhostProfile: Required value: must be set when seccomp type is Localhost`);
    if (sp.type !== 'Localhost' && local) errs.push(`${path}.seccompProfile.localhostProfile: Invalid value: "object": can only be set when seccomp type is Localhost`);
  }
  if (container && sc.allowPrivilegeEscalation === false) {
    if (sc.privileged === true) errs.push(`${path}: Invalid value: "object": cannot set \`allowPrivilegeEscalation\` to false and \`privileged\` to true`);
    const add = sc.capabilities?.add;
    if (Array.isArray(add) && add.includes('CAP_SYS_ADMIN')) {
      errs.push(`${path}: Invalid value: "object": cannot set \`allowPrivilegeEscalation\` to false and \`capabilities.Add\` CAP_SYS_ADMIN`);
    }
  }
}

/** Every `VolumeSource` field of Kubernetes 1.30: a volume may name one (`validateVolumeSource`). */
const VOLUME_SOURCES = new Set(['hostPath', 'emptyDir', 'gcePersistentDisk', 'awsElasticBlockStore', 'gitRepo', 'secret', 'nfs',
  'iscsi', 'glusterfs', 'persistentVolumeClaim', 'rbd', 'flexVolume', 'cinder', 'cephfs', 'flocker', 'downwardAPI', 'fc',
  'azureFile', 'configMap', 'vsphereVolume', 'quobyte', 'azureDisk', 'photonPersistentDisk', 'projected', 'portworxVolume',
  'scaleIO', 'storageos', 'csi', 'ephemeral']);

const VALUE_FROM_SOURCES = ['fieldRef', 'resourceFieldRef', 'configMapKeyRef', 'secretKeyRef'];

/** `validateEnvVarValueFrom`: one source, and no `value` beside it. */
function pushValueFromErrors(errs: string[], e: any, path: string): void {
  let sources = 0;
  for (const k of VALUE_FROM_SOURCES) if (e.valueFrom[k] !== undefined && e.valueFrom[k] !== null) sources++;
  if (sources === 0) errs.push(`${path}: Invalid value: "": must specify one of: \`fieldRef\`, \`resourceFieldRef\`, \`configMapKeyRef\` or \`secretKeyRef\``);
  else if (typeof e.value === 'string' && e.value !== '') errs.push(`${path}: Invalid value: "": may not be specified when \`value\` is not empty`);
  else if (sources > 1) errs.push(`${path}: Invalid value: "": may not have more than one field specified at a time`);
}

/**
 * `ValidateNodeSelectorRequirement`: a known operator (`In`, `NotIn`, `Exists`, `DoesNotExist`, `Gt`, `Lt`, case
 * sensitive), values as the operator needs them, and a label key. The placement rules read these expressions, so a
 * refused one must be reported here rather than judged.
 */
function pushNodeSelectorRequirementErrors(errs: string[], r: any, path: string): void {
  if (!r || typeof r !== 'object') return;
  const n = Array.isArray(r.values) ? r.values.length : 0;
  switch (r.operator) {
    case 'In':
    case 'NotIn':
    case 'Exists':
    case 'DoesNotExist':
      pushSetOperatorValueErrors(errs, r.operator, n, () => path);
      break;
    case 'Gt':
    case 'Lt':
      if (n !== 1) errs.push(`${path}.values: Required value: must be specified single value when \`operator\` is 'Lt' or 'Gt'`);
      break;
    default:
      if (typeof r.operator === 'string') errs.push(`${path}.operator: Invalid value: ${JSON.stringify(r.operator)}: not a valid selector operator`);
  }
  if (typeof r.key === 'string') {
    const ke = qualifiedNameErrors(r.key);
    if (ke.length > 0) pushPrefixed(errs, ke, `${path}.key: Invalid value: ${JSON.stringify(r.key)}: `);
  }
}

/**
 * The values a set operator needs, for label selectors (`ValidateLabelSelectorRequirement`) and node selectors
 * (`ValidateNodeSelectorRequirement`) alike: some for `In` and `NotIn`, none for `Exists` and `DoesNotExist`.
 */
function pushSetOperatorValueErrors(errs: string[], operator: unknown, values: number, path: () => string): void {
  if ((operator === 'In' || operator === 'NotIn') && values === 0) errs.push(`${path()}.values: Required value: must be specified when \`operator\` is 'In' or 'NotIn'`);
  if ((operator === 'Exists' || operator === 'DoesNotExist') && values > 0) errs.push(`${path()}.values: Forbidden: may not be specified when \`operator\` is 'Exists' or 'DoesNotExist'`);
}

/** `ValidateNodeFieldSelectorRequirement`: `metadata.name`, `In` or `NotIn`, one value. */
function pushNodeFieldRequirementErrors(errs: string[], r: any, path: string): void {
  if (!r || typeof r !== 'object') return;
  if (r.operator === 'In' || r.operator === 'NotIn') {
    if (!Array.isArray(r.values) || r.values.length !== 1) errs.push(`${path}.values: Required value: must be only one value when \`operator\` is 'In' or 'NotIn' for node field selector`);
  } else if (typeof r.operator === 'string') {
    errs.push(`${path}.operator: Invalid value: ${JSON.stringify(r.operator)}: not a valid selector operator`);
  }
  if (typeof r.key === 'string' && r.key !== 'metadata.name') errs.push(`${path}.key: Invalid value: ${JSON.stringify(r.key)}: not a valid field selector key`);
}

/** `ValidateNodeSelectorTerm`. */
function pushNodeSelectorTermErrors(errs: string[], term: any, path: string): void {
  if (!term || typeof term !== 'object') return;
  const exprs = listOrNone(term.matchExpressions);
  for (let j = 0; j < exprs.length; j++) if (j in exprs) pushNodeSelectorRequirementErrors(errs, exprs[j], `${path}.matchExpressions[${j}]`);
  const fields = listOrNone(term.matchFields);
  for (let j = 0; j < fields.length; j++) if (j in fields) pushNodeFieldRequirementErrors(errs, fields[j], `${path}.matchFields[${j}]`);
}

/**
 * `validateNodeAffinity`: a required node selector has at least one term, and every term (required, and each preferred
 * term's `preference`) is valid; a preferred term's weight is 1-100.
 */
function pushNodeAffinityErrors(errs: string[], na: any, path: string): void {
  const required = na.requiredDuringSchedulingIgnoredDuringExecution;
  if (required && typeof required === 'object') {
    const rp = `${path}.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms`;
    const terms = required.nodeSelectorTerms;
    if (!Array.isArray(terms) || terms.length === 0) {
      errs.push(`${rp}: Required value: must have at least one node selector term`);
    } else {
      for (let i = 0; i < terms.length; i++) if (i in terms) pushNodeSelectorTermErrors(errs, terms[i], `${rp}[${i}]`);
    }
  }
  const preferred = listOrNone(na.preferredDuringSchedulingIgnoredDuringExecution);
  for (let i = 0; i < preferred.length; i++) {
    if (!(i in preferred) || !preferred[i] || typeof preferred[i] !== 'object') continue;
    const pp = `${path}.preferredDuringSchedulingIgnoredDuringExecution[${i}]`;
    pushPreferredWeightErrors(errs, preferred[i].weight, pp);
    pushNodeSelectorTermErrors(errs, preferred[i].preference, `${pp}.preference`);
  }
}

/** A preferred scheduling term's weight, node or pod affinity alike: 1-100. */
function pushPreferredWeightErrors(errs: string[], weight: unknown, path: string): void {
  if (typeof weight === 'number' && (weight < 1 || weight > 100)) errs.push(`${path}.weight: Invalid value: ${weight}: must be in the range 1-100`);
}

/** `validatePodAffinityTerm`: valid label selectors and a topology key that is a label key, not empty. */
function pushPodAffinityTermErrors(errs: string[], term: any, path: string): void {
  if (!term || typeof term !== 'object') return;
  for (const field of ['labelSelector', 'namespaceSelector']) {
    if (term[field] && typeof term[field] === 'object') pushAll(errs, selectorErrors(term[field], `${path}.${field}`));
  }
  const key = term.topologyKey;
  if (key === '') {
    errs.push(`${path}.topologyKey: Required value: can not be empty`);
  } else if (typeof key === 'string') {
    const ke = qualifiedNameErrors(key);
    if (ke.length > 0) pushPrefixed(errs, ke, `${path}.topologyKey: Invalid value: ${JSON.stringify(key)}: `);
  }
}

/** `validatePodAffinity` and `validatePodAntiAffinity`: every required term, and each preferred term with weight 1-100. */
function pushPodAffinityErrors(errs: string[], pa: any, path: string): void {
  const required = listOrNone(pa.requiredDuringSchedulingIgnoredDuringExecution);
  for (let i = 0; i < required.length; i++) pushPodAffinityTermErrors(errs, required[i], `${path}.requiredDuringSchedulingIgnoredDuringExecution[${i}]`);
  const preferred = listOrNone(pa.preferredDuringSchedulingIgnoredDuringExecution);
  for (let i = 0; i < preferred.length; i++) {
    const w = preferred[i];
    if (!w || typeof w !== 'object') continue;
    const wp = `${path}.preferredDuringSchedulingIgnoredDuringExecution[${i}]`;
    pushPreferredWeightErrors(errs, w.weight, wp);
    pushPodAffinityTermErrors(errs, w.podAffinityTerm, `${wp}.podAffinityTerm`);
  }
}

const UNSATISFIABLE_ACTIONS = ['DoNotSchedule', 'ScheduleAnyway'];

/**
 * `validateTopologySpreadConstraints`: `maxSkew` above 0, a known `whenUnsatisfiable`, `minDomains` above 0 and only
 * with `DoNotSchedule`, and no two constraints with the same topology key and action.
 */
function pushTopologySpreadErrors(errs: string[], list: unknown, path: string): void {
  if (!Array.isArray(list)) return;
  const seen = new Set<string>();
  for (let i = 0; i < list.length; i++) {
    const c = list[i];
    if (!(i in list) || !c || typeof c !== 'object') continue;
    const p = `${path}[${i}]`;
    if (typeof c.maxSkew === 'number' && c.maxSkew <= 0) errs.push(`${p}.maxSkew: Invalid value: ${c.maxSkew}: must be greater than zero`);
    pushEnumError(errs, () => p, 'whenUnsatisfiable', c.whenUnsatisfiable, UNSATISFIABLE_ACTIONS);
    if (typeof c.minDomains === 'number') {
      if (c.minDomains <= 0) errs.push(`${p}.minDomains: Invalid value: ${c.minDomains}: must be greater than zero`);
      else if (c.whenUnsatisfiable !== 'DoNotSchedule') errs.push(`${p}.minDomains: Invalid value: ${c.minDomains}: can only use minDomains if whenUnsatisfiable=DoNotSchedule, not ${String(c.whenUnsatisfiable)}`);
    }
    if (typeof c.topologyKey === 'string' && typeof c.whenUnsatisfiable === 'string') {
      const pair = `${c.topologyKey}\u0000${c.whenUnsatisfiable}`;
      if (seen.has(pair)) errs.push(`${p}: Duplicate value: "{${c.topologyKey}, ${c.whenUnsatisfiable}}"`);
      seen.add(pair);
    }
  }
}

const CONTAINER_FIELDS = ['initContainers', 'containers'];
const TOLERATION_OPERATORS = ['Equal', 'Exists'];
const TAINT_EFFECTS = ['NoSchedule', 'PreferNoSchedule', 'NoExecute'];
const SELECTOR_OPERATORS = ['In', 'NotIn', 'Exists', 'DoesNotExist'];

/** Does a LabelSelector select these labels? (matchLabels + matchExpressions) */
export function selectorMatches(sel: any, labels: Record<string, string>): boolean {
  const matchLabels = sel?.matchLabels ?? {};
  for (const k in matchLabels) if (hasOwn(matchLabels, k) && labels[k] !== matchLabels[k]) return false;
  const expressions = listOf(sel?.matchExpressions);
  for (let i = 0; i < expressions.length; i++) {
    if (!(i in expressions)) continue;
    const ex = expressions[i];
    const has = Object.prototype.hasOwnProperty.call(labels, ex.key);
    const vals: string[] = ex.values ?? [];
    if (ex.operator === 'In' && !(has && vals.includes(labels[ex.key]))) return false;
    if (ex.operator === 'NotIn' && has && vals.includes(labels[ex.key])) return false;
    if (ex.operator === 'Exists' && !has) return false;
    if (ex.operator === 'DoesNotExist' && has) return false;
  }
  return true;
}

/**
 * `ValidateLabelSelector` (apimachinery meta/v1 validation), strict as on create (no invalid label value allowed):
 * `matchLabels` as a label map, and each `matchExpressions[]` requirement (`ValidateLabelSelectorRequirement`) with a
 * known operator and the values it needs, a label key, and label values.
 */
function selectorErrors(sel: any, path: string): string[] {
  const errs: string[] = [];
  if (sel?.matchLabels) pushAll(errs, labelMapErrors(sel.matchLabels, path, 'matchLabels'));
  const expressions = listOf(sel?.matchExpressions);
  for (let i = 0; i < expressions.length; i++) {
    if (!(i in expressions)) continue;
    const ex = expressions[i];
    const p = () => `${path}.matchExpressions[${i}]`;
    if (typeof ex.operator === 'string' && !SELECTOR_OPERATORS.includes(ex.operator)) {
      errs.push(`${p()}.operator: Invalid value: ${JSON.stringify(ex.operator)}: not a valid selector operator`);
    }
    const values = listOrNone(ex.values);
    pushSetOperatorValueErrors(errs, ex.operator, values.length, p);
    if (typeof ex.key === 'string') {
      const ke = qualifiedNameErrors(ex.key);
      if (ke.length > 0) pushPrefixed(errs, ke, `${p()}.key: Invalid value: ${JSON.stringify(ex.key)}: `);
    }
    for (let j = 0; j < values.length; j++) {
      const ve = typeof values[j] === 'string' ? labelValueErrors(values[j]) : NO_ERRORS;
      if (ve.length > 0) pushPrefixed(errs, ve, `${p()}.values[${j}]: Invalid value: ${JSON.stringify(values[j])}: `);
    }
  }
  return errs;
}

/**
 * Workload spec with a selector and a pod template (Deployment, ReplicaSet, StatefulSet, DaemonSet, Job).
 * `emptySelectorFor`: the word the API server's "empty selector is invalid for …" names (each controller's own check:
 * `deployment` for Deployments and ReplicaSets, `statefulset`, `daemonset`); absent, an empty selector is not judged
 * (a Job's selector is generated).
 */
function templatedWorkloadErrors(spec: any, path: string, restartPolicies: string[], emptySelectorFor?: string): string[] {
  if (!spec) return [];
  const errs: string[] = [];
  const labels = spec.template?.metadata?.labels ?? {};
  pushAll(errs, labelsAndAnnotationsErrors(spec.template?.metadata, `${path}.template.metadata`));
  if (spec.selector) {
    pushAll(errs, selectorErrors(spec.selector, `${path}.selector`));
    const empty = !someOwnKey(spec.selector.matchLabels ?? {}) && !(spec.selector.matchExpressions ?? []).length;
    if (empty && emptySelectorFor !== undefined) errs.push(`${path}.selector: Invalid value: "object": empty selector is invalid for ${emptySelectorFor}`);
    else if (!selectorMatches(spec.selector, labels)) errs.push(`${path}.template.metadata.labels: Invalid value: ${JSON.stringify(labels)}: \`selector\` does not match template \`labels\``);
  }
  pushAll(errs, podSpecErrors(spec.template?.spec, `${path}.template.spec`, restartPolicies));
  return errs;
}

/** Whether the extended-resource checks run (see {@link semanticErrors}). */
let checkExtendedResources = true;

/**
 * All semantic errors of one built-in object (unknown kinds: none). `extendedResources: false` leaves out the
 * extended-resource checks (integer counts, requests = limits): the lint gate leaves them to rule GPU001, which
 * reports them more precisely.
 */
export function semanticErrors(obj: any, options: { readonly extendedResources?: boolean } = {}): string[] {
  checkExtendedResources = options.extendedResources ?? true;
  try {
    return semanticErrorsOf(obj);
  } finally {
    checkExtendedResources = true;
  }
}

/** A written int-or-percent's value (`getIntOrPercentValue`): the number, or a percentage's number; else undefined. */
function intOrPercentValue(v: unknown): number | undefined {
  if (typeof v === 'number') return v;
  const m = typeof v === 'string' ? /^([0-9]+)%$/.exec(v) : null;
  return m ? Number(m[1]) : undefined;
}

/**
 * `ValidateDeploymentStrategy` and `ValidateRollingUpdateDeployment`: no `rollingUpdate` with `Recreate`; `maxSurge`
 * and `maxUnavailable` each a non-negative integer or a percentage (`maxUnavailable` at most 100%), and not both 0 (the
 * rollout could never start). An absent one is defaulted to 25% before validation, so only written values are judged.
 */
function pushDeploymentStrategyErrors(errs: string[], strategy: any, path: string): void {
  const ru = strategy.rollingUpdate;
  if (ru === undefined || ru === null) return;
  if (strategy.type === 'Recreate') {
    errs.push(`${path}.rollingUpdate: Forbidden: may not be specified when strategy \`type\` is 'Recreate'`);
    return;
  }
  if (typeof ru !== 'object' || Array.isArray(ru)) return; // (the schema reports it)
  const rp = `${path}.rollingUpdate`;
  pushIntOrPercentErrors(errs, ru.maxUnavailable, `${rp}.maxUnavailable`);
  pushIntOrPercentErrors(errs, ru.maxSurge, `${rp}.maxSurge`);
  if (intOrPercentValue(ru.maxUnavailable) === 0 && intOrPercentValue(ru.maxSurge) === 0) {
    errs.push(`${rp}.maxUnavailable: Invalid value: ${JSON.stringify(ru.maxUnavailable)}: may not be 0 when \`maxSurge\` is 0`);
  }
  pushAtMost100PercentErrors(errs, ru.maxUnavailable, `${rp}.maxUnavailable`);
}

/** `ValidateNonnegativeField`: a written number is not negative. */
function pushNonNegativeErrors(errs: string[], v: unknown, path: string): void {
  if (typeof v === 'number' && v < 0) errs.push(`${path}: Invalid value: ${v}: must be greater than or equal to 0`);
}

/**
 * `ValidatePositiveIntOrPercent`: a written number is not negative, a written string a percentage (`25%`:
 * `IsValidPercent`, so a quoted `"1"` is refused).
 */
function pushIntOrPercentErrors(errs: string[], v: unknown, path: string): void {
  if (typeof v === 'string' && intOrPercentValue(v) === undefined) errs.push(`${path}: Invalid value: ${JSON.stringify(v)}: a valid percent string must be a numeric string followed by an ending '%'`);
  else pushNonNegativeErrors(errs, v, path);
}

/** `IsNotMoreThan100Percent`: a written percentage is at most 100%. */
function pushAtMost100PercentErrors(errs: string[], v: unknown, path: string): void {
  if (typeof v === 'string' && (intOrPercentValue(v) ?? 0) > 100) errs.push(`${path}: Invalid value: ${JSON.stringify(v)}: must not be greater than 100%`);
}

const JOB_RESTART_POLICIES = ['OnFailure', 'Never'];
const COMPLETION_MODES = ['NonIndexed', 'Indexed'];
const POD_FAILURE_ACTIONS = ['Count', 'FailIndex', 'FailJob', 'Ignore'];
const EXIT_CODE_OPERATORS = ['In', 'NotIn'];
/** `maxParallelismForIndexedJob`. */
const MAX_INDEXED_PARALLELISM = 100_000;

/**
 * `validateJobSpec` (k8s.io/kubernetes pkg/apis/batch/validation): a pod template whose `restartPolicy` is written
 * (an absent one is defaulted to `Always`, which a Job refuses: "Required value: valid values"), an Indexed Job with `completions`, per-index backoff
 * only for Indexed Jobs, and a `podFailurePolicy` only with `restartPolicy: Never`, each rule with a known action and
 * one of `onExitCodes` and `onPodConditions`.
 */
function pushJobSpecErrors(errs: string[], spec: any, path: string): void {
  const podSpec = spec.template?.spec;
  const restartPolicy = podSpec && typeof podSpec === 'object' ? podSpec.restartPolicy : undefined;
  // (a written Always or other value gets the enum's error from the pod spec's own checks)
  if (podSpec && typeof podSpec === 'object' && restartPolicy === undefined) {
    errs.push(`${path}.template.spec.restartPolicy: Required value: valid values: "OnFailure", "Never"`);
  }
  pushEnumError(errs, () => path, 'completionMode', spec.completionMode, COMPLETION_MODES);
  const indexed = spec.completionMode === 'Indexed';
  if (indexed) {
    if (spec.completions === undefined || spec.completions === null) errs.push(`${path}.completions: Required value: when completion mode is Indexed`);
    if (typeof spec.parallelism === 'number' && spec.parallelism > MAX_INDEXED_PARALLELISM) {
      errs.push(`${path}.parallelism: Invalid value: ${spec.parallelism}: must be less than or equal to ${MAX_INDEXED_PARALLELISM} when completion mode is Indexed`);
    }
    if (typeof spec.completions === 'number' && typeof spec.maxFailedIndexes === 'number' && spec.maxFailedIndexes > spec.completions) {
      errs.push(`${path}.maxFailedIndexes: Invalid value: ${spec.maxFailedIndexes}: must be less than or equal to completions`);
    }
  } else if (spec.completionMode === undefined || spec.completionMode === null || spec.completionMode === 'NonIndexed') {
    for (const field of ['backoffLimitPerIndex', 'maxFailedIndexes']) {
      if (typeof spec[field] === 'number') errs.push(`${path}.${field}: Invalid value: ${spec[field]}: requires indexed completion mode`);
    }
  }
  if (typeof spec.maxFailedIndexes === 'number' && (spec.backoffLimitPerIndex === undefined || spec.backoffLimitPerIndex === null)) {
    errs.push(`${path}.backoffLimitPerIndex: Required value: when maxFailedIndexes is specified`);
  }
  const pfp = spec.podFailurePolicy;
  if (!pfp || typeof pfp !== 'object' || Array.isArray(pfp)) return;
  if (JOB_RESTART_POLICIES.includes(restartPolicy) && restartPolicy !== 'Never') {
    errs.push(`${path}.template.spec.restartPolicy: Invalid value: ${JSON.stringify(restartPolicy)}: only "Never" is supported when podFailurePolicy is specified`);
  }
  const containerNames = new Set<unknown>([...listOrNone(podSpec?.containers), ...listOrNone(podSpec?.initContainers)].map((c: any) => c?.name));
  const rules = listOrNone(pfp.rules);
  for (let i = 0; i < rules.length; i++) {
    const r = rules[i];
    if (!r || typeof r !== 'object') continue;
    const rp = `${path}.podFailurePolicy.rules[${i}]`;
    if (r.action === 'FailIndex' && (spec.backoffLimitPerIndex === undefined || spec.backoffLimitPerIndex === null)) {
      errs.push(`${rp}.action: Invalid value: "FailIndex": requires the backoffLimitPerIndex to be set`);
    } else {
      pushEnumError(errs, () => rp, 'action', r.action, POD_FAILURE_ACTIONS);
    }
    const onExitCodes = r.onExitCodes && typeof r.onExitCodes === 'object' ? r.onExitCodes : undefined;
    const onConditions = listOrNone(r.onPodConditions);
    if (onExitCodes) pushExitCodeErrors(errs, onExitCodes, `${rp}.onExitCodes`, containerNames);
    if (onExitCodes && onConditions.length > 0) errs.push(`${rp}: Invalid value: specifying both OnExitCodes and OnPodConditions is not supported`);
    if (!onExitCodes && onConditions.length === 0) errs.push(`${rp}: Invalid value: specifying one of OnExitCodes and OnPodConditions is required`);
  }
}

/** `validatePodFailurePolicyRuleOnExitCodes`: a known operator, a known container, ordered distinct values, no 0 for In. */
function pushExitCodeErrors(errs: string[], e: any, path: string, containerNames: ReadonlySet<unknown>): void {
  pushEnumError(errs, () => path, 'operator', e.operator, EXIT_CODE_OPERATORS);
  if (typeof e.containerName === 'string' && !containerNames.has(e.containerName)) {
    errs.push(`${path}.containerName: Invalid value: ${JSON.stringify(e.containerName)}: must be one of the container or initContainer names in the pod template`);
  }
  const values = listOrNone(e.values);
  if (values.length === 0) errs.push(`${path}.values: Invalid value: []: at least one value is required`);
  const seen = new Set<unknown>();
  let ordered = true;
  for (let j = 0; j < values.length; j++) {
    const v = values[j];
    if (e.operator === 'In' && v === 0) errs.push(`${path}.values[${j}]: Invalid value: 0: must not be 0 for the In operator`);
    if (seen.has(v)) errs.push(`${path}.values[${j}]: Duplicate value: ${JSON.stringify(v)}`);
    seen.add(v);
    if (j > 0 && typeof v === 'number' && typeof values[j - 1] === 'number' && values[j - 1] > v) ordered = false;
  }
  if (!ordered) errs.push(`${path}.values: Invalid value: ${JSON.stringify(values)}: must be ordered`);
}

const NONE: readonly any[] = Object.freeze([]);

/** A list field as a list; anything else (the schema reports it) as none. */
function listOrNone(v: unknown): readonly any[] {
  return Array.isArray(v) ? v : NONE;
}

/** `HighestUserDefinablePriority` and the system classes a `system-` name may be (scheduling/types.go). */
const HIGHEST_USER_PRIORITY = 1_000_000_000;
const SYSTEM_PRIORITY_CLASSES = new Set(['system-cluster-critical', 'system-node-critical']);

/**
 * `ValidatePriorityClass` (k8s.io/kubernetes pkg/apis/scheduling/validation): a `system-` name is reserved for the
 * system's own classes, and any other class's value is at most 1000000000.
 */
function priorityClassErrors(obj: any): string[] {
  const name = obj.metadata?.name;
  if (typeof name === 'string' && name.startsWith('system-')) {
    return SYSTEM_PRIORITY_CLASSES.has(name) ? NO_ERRORS
      : [`metadata.name: Forbidden: priority class names with 'system-' prefix are reserved for system use only. error: name ${name} is not a known system priority class`];
  }
  return typeof obj.value === 'number' && obj.value > HIGHEST_USER_PRIORITY
    ? [`value: Forbidden: maximum allowed value of a user defined priority is ${HIGHEST_USER_PRIORITY}`] : NO_ERRORS;
}

const METRIC_SOURCES: Readonly<Record<string, string>> = {
  Object: 'object', Pods: 'pods', Resource: 'resource', ContainerResource: 'containerResource', External: 'external',
};
/** The metric source types, sorted as the API server lists them. */
const METRIC_TYPES = Object.keys(METRIC_SOURCES).sort();
const TARGET_TYPES = ['Utilization', 'Value', 'AverageValue'];
const SCALING_POLICY_TYPES = ['Percent', 'Pods'];
const SELECT_POLICIES = ['Disabled', 'Max', 'Min'];

/** A written quantity that is not positive (`Sign() != 1`); quantities that do not parse are the schema's. */
const notPositive = (q: unknown): boolean => {
  const v = quantityOf(q);
  return v !== undefined && !(v > 0);
};

/**
 * `validateHorizontalPodAutoscalerSpec` (k8s.io/kubernetes pkg/apis/autoscaling/validation): `minReplicas` at least 1
 * (0 only with the alpha HPAScaleToZero feature gate, off by default: scale a GPU workload to zero with KEDA),
 * `maxReplicas` at least 1 and `minReplicas`; each metric of a known type with exactly its own source and a valid
 * target; scaling rules with policies of a known type and positive values and periods.
 */
function pushHpaSpecErrors(errs: string[], spec: any, path: string): void {
  const min = spec.minReplicas;
  const max = spec.maxReplicas;
  if (typeof min === 'number' && min < 1) errs.push(`${path}.minReplicas: Invalid value: ${min}: must be greater than or equal to 1`);
  if (typeof max === 'number' && max < 1) errs.push(`${path}.maxReplicas: Invalid value: ${max}: must be greater than 0`);
  if (typeof min === 'number' && typeof max === 'number' && max < min) errs.push(`${path}.maxReplicas: Invalid value: ${max}: must be greater than or equal to \`minReplicas\``);
  const metrics = listOrNone(spec.metrics);
  for (let i = 0; i < metrics.length; i++) {
    const m = metrics[i];
    if (!m || typeof m !== 'object') continue;
    const mp = `${path}.metrics[${i}]`;
    if (m.type === undefined || m.type === '') errs.push(`${mp}.type: Required value: must specify a metric source type`);
    else pushEnumError(errs, () => mp, 'type', m.type, METRIC_TYPES);
    const expected = METRIC_SOURCES[m.type];
    if (expected !== undefined && (m[expected] === undefined || m[expected] === null)) {
      errs.push(`${mp}.${expected}: Required value: must populate information for the given metric source`);
    }
    const present = Object.values(METRIC_SOURCES).filter((f) => m[f] !== undefined && m[f] !== null);
    if (present.length > 0) pushMetricSourceErrors(errs, present[0], m[present[0]], `${mp}.${present[0]}`);
    if (present.length > 1) {
      for (const f of present) if (f !== expected) errs.push(`${mp}.${f}: Forbidden: must populate the given metric source only`);
    }
  }
  const behavior = spec.behavior;
  if (behavior && typeof behavior === 'object') {
    for (const dir of ['scaleUp', 'scaleDown']) {
      const r = behavior[dir];
      if (r && typeof r === 'object') pushScalingRulesErrors(errs, r, `${path}.behavior.${dir}`);
    }
  }
}

/** `validateObjectSource` … `validateContainerResourceSource`: the target each metric source needs. */
function pushMetricSourceErrors(errs: string[], kind: string, src: any, path: string): void {
  if (!src || typeof src !== 'object') return;
  const t = src.target;
  if (!t || typeof t !== 'object') return; // (required by the schema)
  const tp = `${path}.target`;
  if (t.type === undefined || t.type === '') errs.push(`${tp}.type: Required value: must specify a metric target type`);
  if (!TARGET_TYPES.includes(t.type)) errs.push(`${tp}.type: Invalid value: ${JSON.stringify(t.type ?? '')}: must be either Utilization, Value, or AverageValue`);
  if (t.value !== undefined && notPositive(t.value)) errs.push(`${tp}.value: Invalid value: ${JSON.stringify(t.value)}: must be positive`);
  if (t.averageValue !== undefined && notPositive(t.averageValue)) errs.push(`${tp}.averageValue: Invalid value: ${JSON.stringify(t.averageValue)}: must be positive`);
  if (typeof t.averageUtilization === 'number' && t.averageUtilization < 1) {
    errs.push(`${tp}.averageUtilization: Invalid value: ${t.averageUtilization}: must be greater than 0`);
  }
  const has = (f: string) => t[f] !== undefined && t[f] !== null;
  switch (kind) {
    case 'resource':
    case 'containerResource':
      if (!has('averageUtilization') && !has('averageValue')) errs.push(`${tp}.averageUtilization: Required value: must set either a target raw value or a target utilization`);
      if (has('averageUtilization') && has('averageValue')) errs.push(`${tp}.averageValue: Forbidden: may not set both a target raw value and a target utilization`);
      break;
    case 'pods':
      if (!has('averageValue')) errs.push(`${tp}.averageValue: Required value: must specify a positive target averageValue`);
      break;
    case 'external':
      if (!has('value') && !has('averageValue')) errs.push(`${tp}.averageValue: Required value: must set either a target value for metric or a per-pod target`);
      if (has('value') && has('averageValue')) errs.push(`${tp}.value: Forbidden: may not set both a target value for metric and a per-pod target`);
      break;
    case 'object':
      if (!has('value') && !has('averageValue')) errs.push(`${tp}.averageValue: Required value: must set either a target value or averageValue`);
      break;
  }
}

/** `validateScalingRules` and `validateScalingPolicy` (MaxStabilizationWindowSeconds 3600, MaxPeriodSeconds 1800). */
function pushScalingRulesErrors(errs: string[], r: any, path: string): void {
  const w = r.stabilizationWindowSeconds;
  if (typeof w === 'number' && w < 0) errs.push(`${path}.stabilizationWindowSeconds: Invalid value: ${w}: must be greater than or equal to zero`);
  if (typeof w === 'number' && w > 3600) errs.push(`${path}.stabilizationWindowSeconds: Invalid value: ${w}: must be less than or equal to 3600`);
  pushEnumError(errs, () => path, 'selectPolicy', r.selectPolicy, SELECT_POLICIES);
  const policies = listOrNone(r.policies);
  // (an absent list is defaulted before validation; a written empty one is refused)
  if (Array.isArray(r.policies) && policies.length === 0) errs.push(`${path}.policies: Required value: must specify at least one Policy`);
  for (let i = 0; i < policies.length; i++) {
    const p = policies[i];
    if (!p || typeof p !== 'object') continue;
    const pp = `${path}.policies[${i}]`;
    pushEnumError(errs, () => pp, 'type', p.type, SCALING_POLICY_TYPES);
    if (typeof p.value === 'number' && p.value <= 0) errs.push(`${pp}.value: Invalid value: ${p.value}: must be greater than zero`);
    if (typeof p.periodSeconds === 'number' && p.periodSeconds <= 0) errs.push(`${pp}.periodSeconds: Invalid value: ${p.periodSeconds}: must be greater than zero`);
    if (typeof p.periodSeconds === 'number' && p.periodSeconds > 1800) errs.push(`${pp}.periodSeconds: Invalid value: ${p.periodSeconds}: must be less than or equal to 1800`);
  }
}

/** A DaemonSet's and a StatefulSet's update strategy types. */
const UPDATE_STRATEGIES = ['RollingUpdate', 'OnDelete'];

/**
 * `ValidateDaemonSetUpdateStrategy` and `ValidateRollingUpdateDaemonSet` (pkg/apis/apps/validation), after
 * `SetDefaults_DaemonSet` (an absent `maxUnavailable` is 1, an absent `maxSurge` 0): each an integer or a percentage
 * of at most 100%, and exactly one of them non-zero. So `rollingUpdate: {maxSurge: 1}` alone is refused (the defaulted
 * `maxUnavailable` is 1 too): a DCGM exporter or device plugin rolled out with a surge needs `maxUnavailable: 0`.
 */
function pushDaemonSetStrategyErrors(errs: string[], strategy: any, path: string): void {
  if (strategy.type !== undefined && strategy.type !== '') pushEnumError(errs, () => path, 'type', strategy.type, UPDATE_STRATEGIES);
  if (strategy.type === 'OnDelete') return;
  const ru = strategy.rollingUpdate;
  if (!ru || typeof ru !== 'object' || Array.isArray(ru)) return; // (absent: defaulted; another type: the schema's)
  const rp = `${path}.rollingUpdate`;
  pushIntOrPercentErrors(errs, ru.maxUnavailable, `${rp}.maxUnavailable`);
  pushIntOrPercentErrors(errs, ru.maxSurge, `${rp}.maxSurge`);
  pushAtMost100PercentErrors(errs, ru.maxUnavailable, `${rp}.maxUnavailable`);
  pushAtMost100PercentErrors(errs, ru.maxSurge, `${rp}.maxSurge`);
  const unavailable = ru.maxUnavailable === undefined || ru.maxUnavailable === null ? 1 : intOrPercentValue(ru.maxUnavailable);
  const surge = ru.maxSurge === undefined || ru.maxSurge === null ? 0 : intOrPercentValue(ru.maxSurge);
  if (unavailable === undefined || surge === undefined) return; // (reported above)
  if (unavailable !== 0 && surge !== 0) errs.push(`${rp}.maxSurge: Invalid value: ${JSON.stringify(ru.maxSurge)}: may not be set when maxUnavailable is non-zero`);
  if (unavailable === 0 && surge === 0) errs.push(`${rp}.maxUnavailable: Required value: cannot be 0 when maxSurge is 0`);
}

const ALWAYS = ['Always'];
/** `supportedUnhealthyPodEvictionPolicies`, sorted as the API server lists them. */
const UNHEALTHY_POD_EVICTION_POLICIES = ['AlwaysAllow', 'IfHealthyBudget'];
const DEPLOYMENT_STRATEGIES = ['Recreate', 'RollingUpdate'];
/** Each controller's word in "empty selector is invalid for …" (pkg/apis/apps/validation). */
const EMPTY_SELECTOR_WORD: Readonly<Record<string, string>> = {
  Deployment: 'deployment', ReplicaSet: 'deployment', StatefulSet: 'statefulset', DaemonSet: 'daemonset',
};
/** Whose template check refuses `activeDeadlineSeconds` (a Deployment's pods are a ReplicaSet's). */
const ACTIVE_DEADLINE_OWNER: Readonly<Record<string, string>> = {
  Deployment: 'ReplicaSet', ReplicaSet: 'ReplicaSet', StatefulSet: 'StatefulSet', DaemonSet: 'DaemonSet',
};
/** `DeploymentSpec.progressDeadlineSeconds` when absent (`SetDefaults_Deployment`, apps/v1). */
const DEFAULT_PROGRESS_DEADLINE_SECONDS = 600;

/**
 * `ValidateDeploymentSpec`'s `progressDeadlineSeconds`: not negative, and above `minReadySeconds`. It is defaulted to
 * 600 before validation, so a GPU server given `minReadySeconds: 600` or more for its model to load is refused even
 * without a deadline written.
 */
function pushProgressDeadlineErrors(errs: string[], spec: any, path: string): void {
  const written = spec.progressDeadlineSeconds;
  const deadline = written === undefined || written === null ? DEFAULT_PROGRESS_DEADLINE_SECONDS : written;
  if (typeof deadline !== 'number') return; // (the schema reports it)
  const p = `${path}.progressDeadlineSeconds`;
  pushNonNegativeErrors(errs, deadline, p);
  const minReady = typeof spec.minReadySeconds === 'number' ? spec.minReadySeconds : 0;
  if (deadline <= minReady) {
    errs.push(`${p}: Invalid value: ${deadline}: must be greater than minReadySeconds${deadline === written ? '' : ` (absent: defaulted to ${deadline})`}`);
  }
}

const PVC_RETENTION_POLICIES = ['Retain', 'Delete'];

/**
 * `ValidateStatefulSetSpec` (pkg/apis/apps/validation) beyond the selector and template: a known `podManagementPolicy`
 * and update strategy (absent or empty ones are defaulted to OrderedReady and RollingUpdate first), `rollingUpdate`
 * only with RollingUpdate and a `partition` not negative, the PVC retention policy's values, `ordinals.start` not
 * negative, and every `volumeClaimTemplates[]` spec a valid claim ({@link pushPvcSpecErrors}). `rollingUpdate.maxUnavailable`
 * is left alone: its feature gate (MaxUnavailableStatefulSet) is alpha, and the API server drops the field while it is off.
 */
function pushStatefulSetSpecErrors(errs: string[], spec: any, path: string): void {
  const pmp = spec.podManagementPolicy;
  if (typeof pmp === 'string' && pmp !== '' && pmp !== 'OrderedReady' && pmp !== 'Parallel') {
    errs.push(`${path}.podManagementPolicy: Invalid value: ${JSON.stringify(pmp)}: must be 'OrderedReady' or 'Parallel'`);
  }
  const us = spec.updateStrategy;
  if (us && typeof us === 'object' && !Array.isArray(us)) {
    const type = us.type === undefined || us.type === null || us.type === '' ? 'RollingUpdate' : us.type;
    const ru = us.rollingUpdate;
    if (!UPDATE_STRATEGIES.includes(type)) {
      errs.push(`${path}.updateStrategy: Invalid value: "object": must be 'RollingUpdate' or 'OnDelete'`);
    } else if (ru !== undefined && ru !== null) {
      if (type === 'OnDelete') {
        errs.push(`${path}.updateStrategy.rollingUpdate: Invalid value: "object": only allowed for updateStrategy 'RollingUpdate'`);
      } else {
        pushNonNegativeErrors(errs, ru.partition, `${path}.updateStrategy.rollingUpdate.partition`);
      }
    }
  }
  const retention = spec.persistentVolumeClaimRetentionPolicy;
  if (retention && typeof retention === 'object') {
    // (an empty value is defaulted to Retain; a null one never gets here: the gate judges it as not set)
    for (const field of ['whenDeleted', 'whenScaled']) {
      if (retention[field] !== '') pushEnumError(errs, () => `${path}.persistentVolumeClaimRetentionPolicy`, field, retention[field], PVC_RETENTION_POLICIES);
    }
  }
  pushNonNegativeErrors(errs, spec.ordinals?.start, `${path}.ordinals.start`);
  const templates = listOrNone(spec.volumeClaimTemplates);
  for (let i = 0; i < templates.length; i++) pushPvcSpecErrors(errs, templates[i]?.spec, `${path}.volumeClaimTemplates[${i}].spec`);
}

/** `supportedAccessModes`, sorted as the API server lists them. */
const ACCESS_MODES = ['ReadOnlyMany', 'ReadWriteMany', 'ReadWriteOnce', 'ReadWriteOncePod'];

/**
 * `ValidatePersistentVolumeClaimSpec` (pkg/apis/core/validation), the parts a claim for model weights or a cache gets
 * wrong: at least one access mode, each a known one, ReadWriteOncePod alone, and a `storage` request above zero.
 */
function pushPvcSpecErrors(errs: string[], spec: any, path: string): void {
  if (!spec || typeof spec !== 'object' || Array.isArray(spec)) return; // (the schema reports it)
  const modes = listOrNone(spec.accessModes);
  if (modes.length === 0) errs.push(`${path}.accessModes: Required value: at least 1 access mode is required`);
  let onePod = false;
  let others = false;
  for (let i = 0; i < modes.length; i++) {
    const m = modes[i];
    if (!ACCESS_MODES.includes(m)) {
      pushAll(errs, enumError(path, 'accessModes', m, ACCESS_MODES));
    } else if (m === 'ReadWriteOncePod') {
      onePod = true;
    } else {
      others = true;
    }
  }
  if (onePod && others) errs.push(`${path}.accessModes: Forbidden: may not use ReadWriteOncePod with other access modes`);
  const requests = spec.resources?.requests;
  const storage = requests && typeof requests === 'object' && hasOwn(requests, 'storage') ? requests.storage : undefined;
  if (storage === undefined || storage === null) {
    errs.push(`${path}.resources[storage]: Required value`);
  } else {
    const value = quantityOf(storage);
    if (value !== undefined && value <= 0) errs.push(`${path}.resources[storage]: Invalid value: ${JSON.stringify(String(storage))}: must be greater than zero`);
  }
}

/** The limit types of `IsStandardLimitRangeType`. */
const LIMIT_TYPES = ['Pod', 'Container', 'PersistentVolumeClaim'];

/**
 * `ValidateLimitRange` (pkg/apis/core/validation), on the LimitRange as the API server stores it: a `Container` item's
 * absent `default` is its `max`, and its absent `defaultRequest` its `default`, else its `min`
 * (`SetDefaults_LimitRangeItem`, applied before validation). Per item: a known or fully qualified `type`, each type
 * once, resource names a container may ask for (Pod and Container items), no defaults in a `Pod` item, a storage bound
 * in a `PersistentVolumeClaim` item; per resource: min <= defaultRequest <= default <= max, a ratio of at least 1 and
 * at most max/min, and for a resource that cannot be overcommitted (GPUs, other extended resources, huge pages) a
 * default equal to the default request. The bounds are compared as the resources are listed (the API server's map order
 * is not defined).
 */
function pushLimitRangeErrors(errs: string[], spec: any): void {
  const limits = spec?.limits;
  if (!Array.isArray(limits)) return;
  const types = new Set<string>();
  limits.forEach((item: any, i: number) => {
    if (!item || typeof item !== 'object') return;
    const at = `spec.limits[${i}]`;
    const type = item.type;
    if (typeof type === 'string') {
      const te = qualifiedNameErrors(type);
      if (te.length > 0) pushPrefixed(errs, te, `${at}.type: Invalid value: ${JSON.stringify(type)}: `);
      else if (!type.includes('/') && !LIMIT_TYPES.includes(type)) errs.push(`${at}.type: Invalid value: ${JSON.stringify(type)}: must be a standard limit type or fully qualified`);
      if (types.has(type)) errs.push(`${at}.type: Duplicate value: ${JSON.stringify(type)}`);
      types.add(type);
    }
    const named = (field: string): Map<string, { value: number; text: string }> => {
      const out = new Map<string, { value: number; text: string }>();
      const m = resourceMapOf(item[field]);
      for (const name in m) {
        if (!hasOwn(m, name)) continue;
        if (type === 'Pod' || type === 'Container') {
          const ne = containerResourceNameErrors(name);
          if (ne.length > 0) pushPrefixed(errs, ne, `${at}.${field}[${JSON.stringify(name)}]: Invalid value: ${JSON.stringify(name)}: `);
        }
        const value = quantityOf(m[name]);
        if (value !== undefined) out.set(name, { value, text: String(m[name]) });
      }
      return out;
    };
    const max = named('max');
    const min = named('min');
    let defaults = new Map<string, { value: number; text: string }>();
    let defaultRequests = new Map<string, { value: number; text: string }>();
    if (type === 'Pod') {
      if (Object.keys(resourceMapOf(item.default)).length > 0) errs.push(`${at}.default: Forbidden: may not be specified when \`type\` is 'Pod'`);
      if (Object.keys(resourceMapOf(item.defaultRequest)).length > 0) errs.push(`${at}.defaultRequest: Forbidden: may not be specified when \`type\` is 'Pod'`);
    } else {
      defaults = named('default');
      defaultRequests = named('defaultRequest');
    }
    defaultLimitRangeItem(type, max, min, defaults, defaultRequests);
    if (type === 'PersistentVolumeClaim' && !hasOwn(resourceMapOf(item.min), 'storage') && !hasOwn(resourceMapOf(item.max), 'storage')) {
      errs.push(`${at}.limits: Required value: either minimum or maximum storage value is required, but neither was provided`);
    }
    const ratios = named('maxLimitRequestRatio');
    const keys = new Set([...max.keys(), ...min.keys(), ...defaults.keys(), ...defaultRequests.keys(), ...ratios.keys()]);
    for (const k of keys) {
      const mn = min.get(k);
      const mx = max.get(k);
      const df = defaults.get(k);
      const dr = defaultRequests.get(k);
      const ratio = ratios.get(k);
      const invalid = (field: string, value: { text: string }, message: string) =>
        errs.push(`${at}.${field}[${k}]: Invalid value: ${JSON.stringify(value.text)}: ${message}`);
      if (mn && mx && mn.value > mx.value) invalid('min', mn, `min value ${mn.text} is greater than max value ${mx.text}`);
      if (dr && mn && mn.value > dr.value) invalid('defaultRequest', dr, `min value ${mn.text} is greater than default request value ${dr.text}`);
      if (dr && mx && dr.value > mx.value) invalid('defaultRequest', dr, `default request value ${dr.text} is greater than max value ${mx.text}`);
      if (dr && df && dr.value > df.value) invalid('defaultRequest', dr, `default request value ${dr.text} is greater than default limit value ${df.text}`);
      if (df && mn && mn.value > df.value) invalid('default', mn, `min value ${mn.text} is greater than default value ${df.text}`);
      if (df && mx && df.value > mx.value) invalid('default', mx, `default value ${df.text} is greater than max value ${mx.text}`);
      if (ratio && ratio.value < 1) invalid('maxLimitRequestRatio', ratio, `ratio ${ratio.text} is less than 1`);
      if (ratio && mn && mx && mn.value > 0 && ratio.value > mx.value / mn.value) {
        invalid('maxLimitRequestRatio', ratio, `ratio ${ratio.text} is greater than max/min = ${(mx.value / mn.value).toFixed(6)}`);
      }
      if ((isNonNative(k) || isHugePages(k)) && df && dr && df.value !== dr.value) {
        invalid('defaultRequest', dr, `default value ${df.text} must equal to defaultRequest value ${dr.text} in ${k}`);
      }
    }
  });
}

function semanticErrorsOf(obj: any): string[] {
  const spec = obj.spec;
  switch (obj.kind) {
    case 'Pod':
      return podSpecErrors(spec, 'spec');
    case 'Deployment':
    case 'ReplicaSet':
    case 'StatefulSet':
    case 'DaemonSet':
    {
      const errs = templatedWorkloadErrors(spec, 'spec', ALWAYS, EMPTY_SELECTOR_WORD[obj.kind]);
      if (!spec || typeof spec !== 'object') return errs;
      const deadline = spec.template?.spec?.activeDeadlineSeconds;
      if (deadline !== undefined && deadline !== null) {
        errs.push(`spec.template.spec.activeDeadlineSeconds: Forbidden: activeDeadlineSeconds in ${ACTIVE_DEADLINE_OWNER[obj.kind]} is not Supported`);
      }
      if (obj.kind === 'Deployment') {
        pushAll(errs, enumError('spec.strategy', 'type', spec.strategy?.type, DEPLOYMENT_STRATEGIES));
        if (spec.strategy && typeof spec.strategy === 'object') pushDeploymentStrategyErrors(errs, spec.strategy, 'spec.strategy');
        pushProgressDeadlineErrors(errs, spec, 'spec');
      }
      if (obj.kind === 'DaemonSet' && spec.updateStrategy && typeof spec.updateStrategy === 'object') {
        pushDaemonSetStrategyErrors(errs, spec.updateStrategy, 'spec.updateStrategy');
      }
      if (obj.kind === 'StatefulSet') pushStatefulSetSpecErrors(errs, spec, 'spec');
      return errs;
    }
    case 'Job': {
      const errs = templatedWorkloadErrors(spec, 'spec', JOB_RESTART_POLICIES);
      if (spec && typeof spec === 'object') pushJobSpecErrors(errs, spec, 'spec');
      return errs;
    }
    case 'CronJob': {
      const errs = [
        ...labelsAndAnnotationsErrors(spec?.jobTemplate?.metadata, 'spec.jobTemplate.metadata'),
        ...templatedWorkloadErrors(spec?.jobTemplate?.spec, 'spec.jobTemplate.spec', JOB_RESTART_POLICIES),
        ...enumError('spec', 'concurrencyPolicy', spec?.concurrencyPolicy, ['Allow', 'Forbid', 'Replace']),
      ];
      const jobSpec = spec?.jobTemplate?.spec;
      if (jobSpec && typeof jobSpec === 'object') pushJobSpecErrors(errs, jobSpec, 'spec.jobTemplate.spec');
      return errs;
    }
    case 'PriorityClass':
      return priorityClassErrors(obj);
    case 'HorizontalPodAutoscaler': {
      const errs: string[] = [];
      if (spec && typeof spec === 'object') pushHpaSpecErrors(errs, spec, 'spec');
      return errs;
    }
    case 'Service': {
      const errs: string[] = [];
      errs.push(...enumError('spec', 'type', spec?.type, ['ClusterIP', 'NodePort', 'LoadBalancer', 'ExternalName']));
      const ports: any[] = spec?.ports ?? [];
      if (ports.length === 0 && spec?.type !== 'ExternalName' && spec?.clusterIP !== 'None') errs.push('spec.ports: Required value');
      const seen = new Set<string>();
      // (`type` is defaulted to ClusterIP, a port's `protocol` to TCP, and a `targetPort` of 0 or "" to the port)
      const clusterIpType = spec?.type === undefined || spec?.type === null || spec?.type === 'ClusterIP';
      const portKeys = new Set<string>();
      ports.forEach((p, i) => {
        if (ports.length > 1 && !p.name) errs.push(`spec.ports[${i}].name: Required value`);
        if (p.name) {
          for (const e of dns1123LabelErrors(p.name)) errs.push(`spec.ports[${i}].name: Invalid value: ${JSON.stringify(p.name)}: ${e}`);
          if (seen.has(p.name)) errs.push(`spec.ports[${i}].name: Duplicate value: ${JSON.stringify(p.name)}`);
          seen.add(p.name);
        }
        if (typeof p.port === 'number' && (p.port < 1 || p.port > 65535)) errs.push(`spec.ports[${i}].port: Invalid value: ${p.port}: must be between 1 and 65535, inclusive`);
        errs.push(...enumError(`spec.ports[${i}]`, 'protocol', p.protocol));
        if (p.targetPort !== 0 && p.targetPort !== '') pushPortErrors(errs, p.targetPort, `spec.ports[${i}].targetPort`);
        if (clusterIpType && typeof p.nodePort === 'number' && p.nodePort !== 0) {
          errs.push(`spec.ports[${i}].nodePort: Forbidden: may not be used when \`type\` is 'ClusterIP'`);
        }
        const key = `${typeof p.protocol === 'string' && p.protocol !== '' ? p.protocol : 'TCP'}/${String(p.port)}`;
        if (portKeys.has(key)) errs.push(`spec.ports[${i}]: Duplicate value: "object"`);
        portKeys.add(key);
      });
      pushAll(errs, labelMapErrors(spec?.selector, 'spec', 'selector'));
      return errs;
    }
    case 'PersistentVolumeClaim': {
      const errs: string[] = [];
      pushPvcSpecErrors(errs, spec, 'spec');
      return errs;
    }
    case 'PodDisruptionBudget': {
      // `ValidatePodDisruptionBudgetSpec` (pkg/apis/policy/validation), in its order
      const errs: string[] = [];
      if (spec?.minAvailable !== undefined && spec?.maxUnavailable !== undefined) errs.push('spec: Invalid value: "object": minAvailable and maxUnavailable cannot be both set');
      for (const field of ['minAvailable', 'maxUnavailable']) {
        pushIntOrPercentErrors(errs, spec?.[field], `spec.${field}`);
        pushAtMost100PercentErrors(errs, spec?.[field], `spec.${field}`);
      }
      pushAll(errs, selectorErrors(spec?.selector, 'spec.selector'));
      pushEnumError(errs, () => 'spec', 'unhealthyPodEvictionPolicy', spec?.unhealthyPodEvictionPolicy, UNHEALTHY_POD_EVICTION_POLICIES);
      return errs;
    }
    case 'LimitRange': {
      const errs: string[] = [];
      pushLimitRangeErrors(errs, spec);
      return errs;
    }
    case 'ResourceQuota': {
      // `ValidateResourceQuotaSpec`: every hard limit a quantity of at least 0
      const errs: string[] = [];
      const hard = resourceMapOf(spec?.hard);
      for (const k in hard) {
        const q = hasOwn(hard, k) ? quantityOf(hard[k]) : undefined;
        if (q !== undefined && q < 0) errs.push(`spec.hard[${k}]: Invalid value: ${JSON.stringify(String(hard[k]))}: must be greater than or equal to 0`);
      }
      return errs;
    }
    default:
      return [];
  }
}
