/**
 * Pod Security Admission labels for the Namespaces this library creates.
 *
 * Pod Security Admission (built into the API server since Kubernetes 1.25, "Pod Security Admission" and "Pod Security
 * Standards" in the Kubernetes docs) reads three labels on a Namespace: `pod-security.kubernetes.io/enforce` (pods
 * that violate the level are refused), `…/warn` (kubectl prints a warning) and `…/audit` (an audit-log annotation),
 * each `privileged`, `baseline` or `restricted`, with an optional `…/<mode>-version` pinning the standard's version
 * (`latest` when absent). A Namespace without labels gets the cluster default, which on EKS is `privileged`: nothing
 * is enforced.
 *
 * The library's own workloads (InferenceDeployment, TrainingJob) pass `restricted`: non-root, no privilege
 * escalation, every capability dropped, seccomp `RuntimeDefault`. A node agent that mounts host paths, such as the
 * DCGM exporter, needs `privileged` (`baseline` already forbids hostPath volumes); the reason is written next to the
 * label as the annotation {@link PodSecurity.REASON_ANNOTATION}, so a reviewer sees why the namespace is not restricted.
 */
import { ApiObject } from 'cdk8s';
import { GpuConfigError } from '../errors';

/** A Pod Security Standards level. */
export enum PodSecurityLevel {
  /** Unrestricted: host namespaces, host paths, privileged containers allowed. For node agents only. */
  PRIVILEGED = 'privileged',
  /** Prevents known privilege escalations (no host namespaces or paths, no added capabilities beyond the defaults). */
  BASELINE = 'baseline',
  /** Hardened: also non-root, no privilege escalation, all capabilities dropped, seccomp RuntimeDefault. */
  RESTRICTED = 'restricted',
}

/** The Pod Security Admission settings of a Namespace. */
export interface PodSecurityOptions {
  /** Pods violating this level are refused. */
  readonly enforce: PodSecurityLevel;
  /** kubectl warns about pods violating this level. @default - the enforce level */
  readonly warn?: PodSecurityLevel;
  /** Violations of this level are annotated in the audit log. @default PodSecurityLevel.RESTRICTED */
  readonly audit?: PodSecurityLevel;
  /**
   * Version of the standards, `latest` or `v1.<minor>` (pins the checks, so an upgrade cannot tighten them unnoticed).
   * @default - no version label (the API server's `latest`)
   */
  readonly version?: string;
  /**
   * Why the namespace needs less than `restricted`, written as the annotation `cdk8s-gpu.io/pod-security-reason`.
   * Required when `enforce` is not `restricted`.
   * @default - none (only allowed with enforce restricted)
   */
  readonly reason?: string;
}

const LEVELS = Object.values(PodSecurityLevel) as string[];
const VERSION = /^(latest|v1\.(0|[1-9][0-9]*))$/;

/** Labels and annotations for Pod Security Admission. */
export class PodSecurity {
  /** Prefix of the Pod Security Admission labels. */
  public static readonly LABEL_PREFIX = 'pod-security.kubernetes.io/';
  /** The annotation that says why a namespace is below `restricted`. */
  public static readonly REASON_ANNOTATION = 'cdk8s-gpu.io/pod-security-reason';

  /**
   * The `pod-security.kubernetes.io/*` labels for `options` (enforce, warn, audit and, with `version`, the three
   * version labels).
   * @param options the levels
   */
  public static labels(options: PodSecurityOptions): { [key: string]: string } {
    const o = PodSecurity._check(options, 'PodSecurity.labels');
    const out: Record<string, string> = {};
    const modes: Array<[string, PodSecurityLevel]> = [['enforce', o.enforce], ['warn', o.warn ?? o.enforce], ['audit', o.audit ?? PodSecurityLevel.RESTRICTED]];
    for (const [mode, level] of modes) {
      out[`${PodSecurity.LABEL_PREFIX}${mode}`] = level;
      if (o.version !== undefined) out[`${PodSecurity.LABEL_PREFIX}${mode}-version`] = o.version;
    }
    return out;
  }

  /**
   * The annotations for `options`: the reason, when one is given.
   * @param options the levels
   */
  public static annotations(options: PodSecurityOptions): { [key: string]: string } {
    const o = PodSecurity._check(options, 'PodSecurity.annotations');
    return o.reason !== undefined ? { [PodSecurity.REASON_ANNOTATION]: o.reason } : {};
  }

  /**
   * Labels (and annotates) a Namespace object, e.g. `Node.of(namespace).defaultChild` or a `KubeNamespace`.
   * @param namespace the Namespace ApiObject
   * @param options the levels
   */
  public static applyTo(namespace: ApiObject, options: PodSecurityOptions): void {
    if (!ApiObject.isApiObject(namespace) || namespace.kind !== 'Namespace') {
      throw new GpuConfigError('PodSecurity.applyTo', 'namespace', 'is not a Namespace ApiObject',
        'pass the Namespace object, e.g. Node.of(kplusNamespace).defaultChild as ApiObject');
    }
    for (const [k, v] of Object.entries(PodSecurity.labels(options))) namespace.metadata.addLabel(k, v);
    for (const [k, v] of Object.entries(PodSecurity.annotations(options))) namespace.metadata.addAnnotation(k, v);
  }

  /** @internal checks options; `where` names the caller in the error. */
  public static _check(options: PodSecurityOptions, where: string): PodSecurityOptions {
    if (options === null || typeof options !== 'object' || Array.isArray(options)) {
      throw new GpuConfigError(where, 'options', `is ${JSON.stringify(options)}, not an object`,
        'pass { enforce: PodSecurityLevel.RESTRICTED } (or a lower level with a reason)');
    }
    for (const mode of ['enforce', 'warn', 'audit'] as const) {
      const v = options[mode];
      if ((mode === 'enforce' || v !== undefined) && !LEVELS.includes(v as string)) {
        throw new GpuConfigError(where, mode, `is ${JSON.stringify(v)}, not a Pod Security level`,
          `use PodSecurityLevel.RESTRICTED, BASELINE or PRIVILEGED (${LEVELS.join(', ')})`);
      }
    }
    if (options.version !== undefined && (typeof options.version !== 'string' || !VERSION.test(options.version))) {
      throw new GpuConfigError(where, 'version', `is ${JSON.stringify(options.version)}, not a Pod Security Standards version`,
        'use "latest" or a Kubernetes minor version such as "v1.33"');
    }
    if (options.reason !== undefined && (typeof options.reason !== 'string' || options.reason.trim() === '')) {
      throw new GpuConfigError(where, 'reason', `is ${JSON.stringify(options.reason)}`, 'say in a sentence why the namespace needs this level');
    }
    if (options.enforce !== PodSecurityLevel.RESTRICTED && options.reason === undefined) {
      throw new GpuConfigError(where, 'reason', `is missing, but enforce is ${options.enforce} (below restricted)`,
        'say why the namespace\'s pods need more than restricted allows (e.g. "mounts the kubelet pod-resources host path"), or enforce restricted');
    }
    return options;
  }
}
