/**
 * How many replicas a workload runs at least and at most: its KEDA ScaledObject, else its HorizontalPodAutoscaler,
 * else its own count (Deployment/StatefulSet/ReplicaSet `replicas`, Job `parallelism`; a Pod is 1). A CronJob runs
 * nothing between its schedules and its Job's `parallelism` pods during a run: 0 to `spec.jobTemplate.spec.parallelism`
 * (the CronJob controller creates each Job at its scheduled time,
 * https://kubernetes.io/docs/concepts/workloads/controllers/cron-jobs/).
 */
import { HPA_DEFAULT_MIN_REPLICAS, KEDA_DEFAULT_MAX_REPLICAS, KEDA_DEFAULT_MIN_REPLICAS, ReplicaRange } from './model';
import { nameOf, nsOf } from '../private/meta';
import { apiGroupOf, ManifestIndex } from '../validation/context';
import { WorkloadRef } from '../validation/rule';

const key = (kind: string, ns: string, name: string) => `${kind}\u0000${ns}\u0000${name}`;
const count = (v: unknown): number | undefined =>
  (typeof v === 'number' && Number.isInteger(v) && v >= 0 ? v : undefined);

/** The replica source of a CronJob: its Job's parallelism (Job defaults) while a run lasts, none between runs. */
export const CRONJOB_REPLICAS_SOURCE = 'spec.jobTemplate.spec.parallelism during a run, 0 between runs';

/** A scaler targeting a workload. */
interface Scaler {
  readonly object: any;
  readonly label: string;
  readonly min: number;
  readonly max: number;
}

/** The scalers of a run, by the workload they target (kind, namespace, name). */
export class ScalerIndex {
  private readonly keda = new Map<string, Scaler[]>();
  private readonly hpa = new Map<string, Scaler[]>();

  constructor(index: ManifestIndex) {
    const add = (map: Map<string, Scaler[]>, obj: any, targetKind: string, s: Scaler) => {
      const name = obj?.spec?.scaleTargetRef?.name;
      if (typeof name !== 'string') return;
      const k = key(targetKind, nsOf(obj), name);
      if (!map.has(k)) map.set(k, []);
      map.get(k)!.push(s);
    };
    for (const so of index.byKind('ScaledObject', 'keda.sh')) {
      const ref = so?.spec?.scaleTargetRef ?? {};
      // KEDA: scaleTargetRef.kind defaults to Deployment, apiVersion to apps/v1.
      const kind = typeof ref.kind === 'string' ? ref.kind : 'Deployment';
      const min = count(so.spec?.minReplicaCount) ?? KEDA_DEFAULT_MIN_REPLICAS;
      const idle = count(so.spec?.idleReplicaCount);
      add(this.keda, so, kind, {
        object: so,
        label: `ScaledObject ${nsOf(so) ? `${nsOf(so)}/` : ''}${nameOf(so)}`,
        min: idle !== undefined ? Math.min(idle, min) : min,
        max: count(so.spec?.maxReplicaCount) ?? KEDA_DEFAULT_MAX_REPLICAS,
      });
    }
    for (const hpa of index.byKind('HorizontalPodAutoscaler', 'autoscaling')) {
      const ref = hpa?.spec?.scaleTargetRef ?? {};
      if (typeof ref.kind !== 'string') continue;
      const min = count(hpa.spec?.minReplicas) ?? HPA_DEFAULT_MIN_REPLICAS;
      add(this.hpa, hpa, ref.kind, {
        object: hpa,
        label: `HorizontalPodAutoscaler ${nsOf(hpa) ? `${nsOf(hpa)}/` : ''}${nameOf(hpa)}`,
        min,
        max: count(hpa.spec?.maxReplicas) ?? min,
      });
    }
  }

  /**
   * The replica range of `w` and remarks about it; `undefined` for a DaemonSet (one pod per node).
   * A ScaledObject wins over an HPA (KEDA creates its own HPA; a second one on the same target fights it).
   */
  public replicasOf(w: WorkloadRef): { range?: ReplicaRange; notes: string[] } {
    const notes: string[] = [];
    if (w.template.replicas === undefined) {
      return { notes: ['a DaemonSet runs one pod per matching node: not counted in pool capacity'] };
    }
    const targetMatches = (s: Scaler) => {
      const apiVersion = s.object?.spec?.scaleTargetRef?.apiVersion;
      return apiVersion === undefined || apiGroupOf(apiVersion) === apiGroupOf(w.object.apiVersion);
    };
    const k = key(w.kind, nsOf(w.object), nameOf(w.object));
    const keda = (this.keda.get(k) ?? []).filter(targetMatches);
    const hpas = (this.hpa.get(k) ?? []).filter(targetMatches);
    const chosen = keda[0] ?? hpas[0];
    const others = [...keda, ...hpas].filter((s) => s !== chosen);
    if (others.length > 0) {
      notes.push(`also scaled by ${others.map((s) => s.label).join(', ')}: two autoscalers on one workload fight; `
        + `the plan uses ${chosen.label}`);
    }
    if (chosen) {
      if (chosen.max < chosen.min) notes.push(`${chosen.label} has a maximum (${chosen.max}) below its minimum (${chosen.min})`);
      return { range: { min: chosen.min, max: Math.max(chosen.min, chosen.max), source: chosen.label }, notes };
    }
    const n = w.template.replicas;
    if (w.kind === 'CronJob') return { range: { min: 0, max: n, source: CRONJOB_REPLICAS_SOURCE }, notes };
    const source = w.kind === 'Pod' ? 'pod' : w.kind === 'Job' ? 'spec.parallelism' : 'spec.replicas';
    return { range: { min: n, max: n, source }, notes };
  }
}
