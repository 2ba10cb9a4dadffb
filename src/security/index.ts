// Secure defaults shared by the constructs: Pod Security Admission labels, tenant NetworkPolicies and the
// ValidatingAdmissionPolicy that enforces the rule registry's GPU invariants inside the cluster.
export * from './pod-security';
export * from './admission';
export type { TeamNetworkOptions } from './team-network';
