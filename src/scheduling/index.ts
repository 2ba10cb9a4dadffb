/**
 * The one scheduling model: "does this pod tolerate these taints, match these labels, fit this instance type?"
 * Pure functions over plain Kubernetes JSON (no cdk8s, no construct classes), shared by the validation rules,
 * InferenceDeployment's placement and the `plan` command so their answers never drift apart.
 *
 * - taints.ts     Kubernetes' exact toleration semantics (`Toleration.ToleratesTaint`), untolerated taints.
 * - labels.ts     nodeSelector, required node affinity, Karpenter requirements (In/NotIn/Exists/…/Gt/Lt/Gte/Lte).
 * - workloads.ts  the pod template of any workload kind, with its field path (CronJob: spec.jobTemplate.spec…).
 * - resources.ts  quantities, extended/GPU resource names, effective pod requests (init + sidecar rule).
 * - nodepool.ts   what a Karpenter NodePool can launch: catalog types allowed by its requirements, node labels.
 * - dra.ts        GPU demand through DRA claims (ResourceClaimTemplate device requests), by device class.
 * - placement.ts  the predicate chain taints → node selection → GPUs → cpu/memory (minus system reserve) → limits,
 *                 returning one verdict per pool with the first failed predicate in words.
 *
 * Internal: not exported from src/index.ts, so signatures may use plain JSON (`any`) and TypeScript unions.
 */
export * from './taints';
export * from './labels';
export * from './workloads';
export * from './resources';
export * from './nodepool';
export * from './placement';
export * from './api-validity';
export * from './dra';
