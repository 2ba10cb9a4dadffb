/**
 * Security rules (GPU700–GPU719): GPU access that escapes the device plugin's accounting (GPU700), workloads their
 * namespace's Pod Security level refuses (GPU701), credentials written in the manifest instead of a Secret (GPU702).
 *
 * How a container sees GPUs (NVIDIA Container Toolkit, "Specialized Configurations with Docker": `NVIDIA_VISIBLE_DEVICES`;
 * k8s-device-plugin README, `DEVICE_LIST_STRATEGY=envvar`): the device plugin hands a GPU to a container by setting
 * `NVIDIA_VISIBLE_DEVICES` to the allocated device ids, and the NVIDIA runtime (the default runtime on EKS accelerated
 * AMIs and with the GPU Operator's toolkit) mounts exactly those devices. A container that sets the variable itself —
 * typically `all` — gets the node's GPUs without requesting `nvidia.com/gpu`: invisible to the scheduler, to
 * ResourceQuota and to the device plugin, sharing GPUs with the pods that were allocated them. The node-side fix is the
 * toolkit's `accept-nvidia-visible-devices-envvar-when-unprivileged = false` (with the device plugin's
 * `volume-mounts` strategy); these manifests cannot tell whether a node has it, so the rule reports every such pod.
 */
import { describeValue } from '../../private/describe';
import { demandsAny } from '../../scheduling/resources';
import { containerLabel, containersOf } from '../../scheduling/workloads';
import { Severity } from '../model';
import { Rule } from '../rule';

/** The environment variable the NVIDIA container runtime reads to choose the GPUs of a container. */
export const NVIDIA_VISIBLE_DEVICES = 'NVIDIA_VISIBLE_DEVICES';
/** Values that expose no GPU (`void`, empty: no GPU; `none`: no GPU, driver libraries only). */
export const NO_GPU_VISIBLE_VALUES: readonly string[] = ['', 'void', 'none'];

/** GPU700 — a pod that requests no GPU must not pick GPUs itself with NVIDIA_VISIBLE_DEVICES. */
export const NVIDIA_VISIBLE_DEVICES_WITHOUT_GPU: Rule = {
  id: 'GPU700',
  title: 'A pod that requests no GPU must not set NVIDIA_VISIBLE_DEVICES',
  severity: Severity.ERROR,
  kinds: ['Pod', 'Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'Job', 'CronJob'],
  remediation: 'Request the GPUs the container needs (resources.limits nvidia.com/gpu) and drop NVIDIA_VISIBLE_DEVICES; '
    + 'the device plugin sets it to the allocated GPUs.',
  description: 'With the NVIDIA container runtime, `NVIDIA_VISIBLE_DEVICES=all` (or a device list) in a container that '
    + 'requests no `nvidia.com/*` resource exposes the node\'s GPUs outside the scheduler, the team\'s ResourceQuota and '
    + 'the device plugin: the pod uses GPUs allocated to other pods. Values that expose nothing (`void`, `none`, empty) '
    + 'are allowed. DaemonSets are exempt: node agents such as the DCGM exporter must see every GPU of their node without '
    + 'taking one. A value from `valueFrom` is reported too (it cannot be read here); `envFrom` cannot be seen. Fixed on '
    + 'the node by the container toolkit\'s `accept-nvidia-visible-devices-envvar-when-unprivileged = false`.',
  *check(ctx) {
    for (const w of ctx.workloads()) {
      if (w.kind === 'DaemonSet') continue;
      if (demandsAny(ctx.gpuDemand(w.template))) continue;
      for (const c of containersOf(w.template)) {
        const env = c.container.env;
        if (!Array.isArray(env)) continue;
        for (let i = 0; i < env.length; i++) {
          const e = env[i];
          if (e?.name !== NVIDIA_VISIBLE_DEVICES || exposesNothing(e)) continue;
          const shown = typeof e.value === 'string' ? JSON.stringify(e.value) : 'a value from valueFrom';
          yield ctx.finding(w.object, `${c.path}.env[${i}]`,
            `container ${JSON.stringify(c.container.name ?? '?')} requests no GPU but sets ${NVIDIA_VISIBLE_DEVICES} to ${shown}; `
            + 'with the NVIDIA runtime it sees GPUs allocated to other pods, outside every quota');
        }
      }
    }
  },
};

/** Whether an env entry of NVIDIA_VISIBLE_DEVICES exposes no GPU. */
function exposesNothing(e: any): boolean {
  if (e.valueFrom !== undefined) return false;
  return e.value === undefined || (typeof e.value === 'string' && NO_GPU_VISIBLE_VALUES.includes(e.value));
}

/** Capabilities the baseline Pod Security Standard lets a container add (Kubernetes "Pod Security Standards"). */
const BASELINE_CAPABILITIES = new Set(['AUDIT_WRITE', 'CHOWN', 'DAC_OVERRIDE', 'FOWNER', 'FSETID', 'KILL', 'MKNOD', 'NET_BIND_SERVICE',
  'SETFCAP', 'SETGID', 'SETPCAP', 'SETUID', 'SYS_CHROOT']);
/** Volume types the restricted standard allows. */
const RESTRICTED_VOLUMES = new Set(['configMap', 'csi', 'downwardAPI', 'emptyDir', 'ephemeral', 'persistentVolumeClaim', 'projected', 'secret']);
const LEVEL_RANK: Record<string, number> = { privileged: 0, baseline: 1, restricted: 2 };

/** What a pod template breaks of `level` (baseline, restricted): [field path, problem]. */
function podSecurityViolations(podSpec: any, specPath: string, containers: ReadonlyArray<{ container: any; path: string }>,
  level: number): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  const podSc = podSpec?.securityContext ?? {};
  for (const f of ['hostNetwork', 'hostPID', 'hostIPC']) if (podSpec?.[f] === true) out.push([`${specPath}.${f}`, `${f} is true`]);
  (Array.isArray(podSpec?.volumes) ? podSpec.volumes : []).forEach((v: any, i: number) => {
    if (!v || typeof v !== 'object' || Array.isArray(v)) return; // (not a volume: the schema gate's finding)
    const type = Object.keys(v).find((k) => k !== 'name');
    const volume = v.name === undefined ? `volumes[${i}]` : `volume ${describeValue(v.name)}`;
    if (type === 'hostPath') out.push([`${specPath}.volumes[${i}]`, `${volume} is a hostPath`]);
    else if (level >= 2 && type !== undefined && !RESTRICTED_VOLUMES.has(type)) out.push([`${specPath}.volumes[${i}]`, `${volume} is of type ${type}`]);
  });
  if (podSc.seccompProfile?.type === 'Unconfined') out.push([`${specPath}.securityContext.seccompProfile`, 'seccomp is Unconfined']);
  for (const { container: c, path } of containers) {
    const sc = c?.securityContext ?? {};
    const who = `container ${JSON.stringify(c?.name ?? '?')}`;
    if (sc.privileged === true) out.push([`${path}.securityContext.privileged`, `${who} is privileged`]);
    const added: string[] = Array.isArray(sc.capabilities?.add) ? sc.capabilities.add : [];
    for (const cap of added) {
      if (level >= 2 ? cap !== 'NET_BIND_SERVICE' : !BASELINE_CAPABILITIES.has(cap)) out.push([`${path}.securityContext.capabilities.add`, `${who} adds ${cap}`]);
    }
    if ((Array.isArray(c?.ports) ? c.ports : []).some((p: any) => p?.hostPort)) out.push([`${path}.ports`, `${who} uses a hostPort`]);
    if (sc.seccompProfile?.type === 'Unconfined') out.push([`${path}.securityContext.seccompProfile`, `${who} runs seccomp Unconfined`]);
    if (level < 2) continue;
    if (sc.allowPrivilegeEscalation !== false) out.push([`${path}.securityContext.allowPrivilegeEscalation`, `${who} does not set allowPrivilegeEscalation: false`]);
    if ((sc.runAsNonRoot ?? podSc.runAsNonRoot) !== true) out.push([`${path}.securityContext.runAsNonRoot`, `${who} does not run with runAsNonRoot: true`]);
    if ((sc.runAsUser ?? podSc.runAsUser) === 0) out.push([`${path}.securityContext.runAsUser`, `${who} runs as UID 0`]);
    const seccomp = sc.seccompProfile?.type ?? podSc.seccompProfile?.type;
    if (seccomp !== 'RuntimeDefault' && seccomp !== 'Localhost') out.push([`${path}.securityContext.seccompProfile`, `${who} has no RuntimeDefault/Localhost seccomp profile`]);
    const drop: string[] = Array.isArray(sc.capabilities?.drop) ? sc.capabilities.drop : [];
    if (!drop.includes('ALL')) out.push([`${path}.securityContext.capabilities.drop`, `${who} does not drop ALL capabilities`]);
  }
  return out;
}

/** GPU701 — a workload must pass the Pod Security level its Namespace enforces. */
export const POD_SECURITY_ENFORCED: Rule = {
  id: 'GPU701',
  title: 'A workload must pass the Pod Security Standard its Namespace enforces',
  severity: Severity.ERROR,
  kinds: ['Namespace', 'Pod', 'Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'Job', 'CronJob'],
  remediation: 'Set the container and pod securityContext the level asks for (restricted: runAsNonRoot, allowPrivilegeEscalation: '
    + 'false, capabilities drop [ALL], seccompProfile RuntimeDefault), or run the workload in a namespace of the level it needs.',
  description: 'Pod Security Admission refuses pods that break the level of their Namespace\'s '
    + '`pod-security.kubernetes.io/enforce` label (Kubernetes "Pod Security Standards"). For a Namespace in the manifests, '
    + 'the baseline checks (host namespaces, privileged, hostPath, hostPort, added capabilities beyond the default set, '
    + 'seccomp Unconfined) and the restricted ones (volume types, allowPrivilegeEscalation false, runAsNonRoot, no UID 0, '
    + 'seccomp RuntimeDefault/Localhost, drop ALL, add only NET_BIND_SERVICE) are applied to its workloads\' pod templates. '
    + 'A Deployment is admitted anyway; its pods are refused, so the ReplicaSet never gets any. AppArmor, SELinux, /proc '
    + 'mount and sysctl checks are not restated; a Namespace not in the manifests cannot be read.',
  *check(ctx) {
    const levels = new Map<string, number>();
    for (const ns of ctx.byKind('Namespace', '')) {
      const level = LEVEL_RANK[ns?.metadata?.labels?.['pod-security.kubernetes.io/enforce']];
      if (level !== undefined && typeof ns.metadata.name === 'string') levels.set(ns.metadata.name, level);
    }
    if (levels.size === 0) return;
    for (const w of ctx.workloads()) {
      const ns = w.object?.metadata?.namespace;
      const level = typeof ns === 'string' ? levels.get(ns) : undefined;
      if (level === undefined || level === 0) continue;
      const name = level === 2 ? 'restricted' : 'baseline';
      for (const [path, problem] of podSecurityViolations(w.template.podSpec, w.template.podSpecPath, containersOf(w.template), level)) {
        yield ctx.finding(w.object, path, `${problem}, but Namespace ${ns} enforces the ${name} Pod Security Standard: its pods are refused`);
      }
    }
  },
};

/**
 * Environment variables that hold a credential: the Hugging Face token (`HF_TOKEN`, its older names, TGI's
 * `HF_API_TOKEN`), NVIDIA NGC's API key, Weights & Biases' key, an AWS secret key or session token, vLLM's own API key.
 */
export const CREDENTIAL_ENV: readonly string[] = ['HF_TOKEN', 'HUGGING_FACE_HUB_TOKEN', 'HF_API_TOKEN', 'NGC_API_KEY', 'NGC_CLI_API_KEY',
  'WANDB_API_KEY', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'VLLM_API_KEY'];

/** Command-line flags that take a credential: vLLM's `--api-key`, `--hf-token` (vLLM, llama.cpp, `-hft`). */
export const CREDENTIAL_FLAGS: readonly string[] = ['--api-key', '--hf-token', '-hft'];

/** A Hugging Face access token as it is issued: `hf_` and 30 or more letters and digits. */
export const HF_TOKEN_TEXT = /(^|[^A-Za-z0-9_])hf_[A-Za-z0-9]{30,}/;

/** Whether a literal value is a credential written out: not empty, and not only a `$(VAR)` reference. */
const writtenOut = (v: unknown): boolean => typeof v === 'string' && v.trim() !== '' && !/^\$\([A-Za-z_][A-Za-z0-9_]*\)$/.test(v.trim());

const EXPOSED = 'anyone who may read the object (get, kubectl describe, the repository it is kept in) reads the credential, '
  + 'and a Secret\'s protections (its own RBAC, encryption at rest, no printing in describe) do not apply';

/** GPU702 — a credential must come from a Secret, not be written in the manifest. */
export const CREDENTIALS_FROM_SECRETS: Rule = {
  id: 'GPU702',
  title: 'A credential (Hugging Face token, NGC or W&B key, AWS secret key, vLLM API key) must come from a Secret, not be written in the manifest',
  severity: Severity.ERROR,
  kinds: ['Pod', 'Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'ReplicationController', 'Job', 'CronJob', 'ConfigMap'],
  remediation: 'Put the credential in a Secret and read it with env valueFrom.secretKeyRef (InferenceDeployment: '
    + 'vllm.hfTokenSecret), or mount the Secret and point the server at the file (HF_TOKEN_PATH); rotate the credential, '
    + 'which has been exposed.',
  description: 'A workload\'s environment variable `value`, its command line and a ConfigMap are plain fields of objects '
    + 'that many can read: `get deployments` and `get configmaps` are granted far more widely than `get secrets`, '
    + '`kubectl describe` prints them, and they live in the Git repository and CI logs the manifests pass through. A '
    + 'Secret is the object Kubernetes keeps credentials in: RBAC can keep it apart, the API server can encrypt it at '
    + 'rest (EKS envelope encryption with KMS), and a pod reads it through `secretKeyRef` or a volume (Kubernetes '
    + '"Good practices for Kubernetes Secrets"). Reported: a credential variable (`HF_TOKEN`, `HUGGING_FACE_HUB_TOKEN`, '
    + '`HF_API_TOKEN`, `NGC_API_KEY`, `NGC_CLI_API_KEY`, `WANDB_API_KEY`, `AWS_SECRET_ACCESS_KEY`, `AWS_SESSION_TOKEN`, '
    + '`VLLM_API_KEY`) given a `value`, a credential flag given one (`--api-key`, `--hf-token`), a Hugging Face token '
    + '(`hf_…`) anywhere in a command line, and a ConfigMap holding a credential variable or such a token. The value '
    + 'itself is never printed. A `$(VAR)` reference is not a credential.',
  *check(ctx) {
    for (const w of ctx.workloads()) {
      for (const c of containersOf(w.template)) {
        const env = Array.isArray(c.container.env) ? c.container.env : [];
        for (let i = 0; i < env.length; i++) {
          const name = env[i]?.name;
          if (typeof name === 'string' && CREDENTIAL_ENV.includes(name) && writtenOut(env[i].value)) {
            yield ctx.finding(w.object, `${c.path}.env[${i}].value`, `${containerLabel(c)} sets ${name} to a value `
              + `written in the manifest: ${EXPOSED}`);
          } else if (typeof env[i]?.value === 'string' && HF_TOKEN_TEXT.test(env[i].value)) {
            yield ctx.finding(w.object, `${c.path}.env[${i}].value`, `${containerLabel(c)} sets ${describeValue(name)} `
              + `to a value holding a Hugging Face token (hf_…): ${EXPOSED}`);
          }
        }
        for (const field of ['command', 'args'] as const) {
          const list = Array.isArray(c.container[field]) ? c.container[field] : [];
          for (let i = 0; i < list.length; i++) {
            const word = list[i];
            if (typeof word !== 'string') continue;
            const flag = CREDENTIAL_FLAGS.find((f) => word === f || word.startsWith(`${f}=`));
            const value = flag === undefined ? undefined : word === flag ? list[i + 1] : word.slice(flag.length + 1);
            const what = flag !== undefined && writtenOut(value) ? `passes ${flag} a value written in the manifest`
              : HF_TOKEN_TEXT.test(word) ? 'holds a Hugging Face token (hf_…) in its command line' : undefined;
            if (what === undefined) continue;
            yield ctx.finding(w.object, `${c.path}.${field}[${word === flag ? i + 1 : i}]`, `${containerLabel(c)} ${what}: ${EXPOSED}`);
          }
        }
      }
    }
    for (const cm of ctx.byKind('ConfigMap', '')) {
      const data = cm?.data;
      if (!data || typeof data !== 'object' || Array.isArray(data)) continue;
      for (const key of Object.keys(data)) {
        const held = CREDENTIAL_ENV.includes(key) && writtenOut(data[key]) ? `key ${key}, a credential,`
          : typeof data[key] === 'string' && HF_TOKEN_TEXT.test(data[key]) ? `a Hugging Face token (hf_…) in key ${JSON.stringify(key)}` : undefined;
        if (held === undefined) continue;
        yield ctx.finding(cm, `data[${JSON.stringify(key)}]`, `holds ${held} in a ConfigMap: ${EXPOSED}`);
      }
    }
  },
};

/** The security rules. */
export const SECURITY_RULES: readonly Rule[] = [NVIDIA_VISIBLE_DEVICES_WITHOUT_GPU, POD_SECURITY_ENFORCED, CREDENTIALS_FROM_SECRETS];
