// The GPU catalog: EC2 GPU instance types, GPU models and MIG profile tables (data + lookups, no cdk8s).
export * from './gpu-model';
export * from './gpu-instance-type';
export * from './mig';
