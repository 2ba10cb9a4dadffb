/**
 * Kueue's well-known labels (kubernetes-sigs/kueue v0.19.2 `pkg/controller/constants`), shared by the queue
 * constructs, the workloads that join a queue, and the Kueue rules.
 */

/** The label that submits a workload (Job, Deployment, Pod…) to a LocalQueue of its namespace. */
export const QUEUE_NAME_LABEL = 'kueue.x-k8s.io/queue-name';
/** The label naming a WorkloadPriorityClass; without it Kueue uses the pods' PriorityClass value. */
export const WORKLOAD_PRIORITY_CLASS_LABEL = 'kueue.x-k8s.io/priority-class';
/** The API group and version of the Kueue objects we write (v1beta2 is the storage version in v0.19). */
export const KUEUE_API_VERSION = 'kueue.x-k8s.io/v1beta2';
