import { CfnOutput, Stack, StackProps } from 'aws-cdk-lib';
import * as eks from 'aws-cdk-lib/aws-eks-v2';
import * as cdk8s from 'cdk8s';
import { Construct } from 'constructs';
import { GpuEksCluster, GpuEksClusterProps } from './cluster';
import { clusterPropsForDra, draDriverEnabled, installNvidiaDraDriver, NvidiaDraDriverOptions } from './dra';
import { _gpuOperatorForEfa, GpuEfa, GpuEfaOptions } from './efa';
import { GpuConfigError } from '../errors';
import { PropErrors } from '../private/collect';

/** Properties of {@link GpuEksStack}: the stack's own props plus the cluster's. */
export interface GpuEksStackProps extends StackProps, GpuEksClusterProps {
  /**
   * Install NVIDIA's DRA driver for GPUs (pinned chart, src/eks/versions.ts) so pods claim GPUs through
   * `resource.k8s.io/v1` (`GpuRequest.dra`). Needs `kubernetesVersion` 1.34 or later; turns the GPU Operator's
   * device plugin off (the two cannot manage the same GPUs). See src/eks/dra.ts.
   * @default - not installed: GPUs are served by the device plugin
   */
  readonly draDriver?: NvidiaDraDriverOptions;
  /**
   * EFA for multi-node training: a cluster placement group (bound into node classes that select
   * `PlacementGroupSelector.ofEksStack()`), the AWS EFA device plugin (pinned chart) and the node security group's
   * outbound rule to itself (see eks/efa.ts). Pass `{}` for the defaults.
   * @default - none
   */
  readonly efa?: GpuEfaOptions;
}

/**
 * A stack holding one {@link GpuEksCluster}, with outputs for the cluster name, the
 * `aws eks update-kubeconfig` command and the Karpenter interruption queue name.
 *
 * `cdk deploy` of this stack brings up everything the library's cdk8s constructs assume; GPU capacity
 * then arrives through Karpenter when a GPU pod is created.
 */
export class GpuEksStack extends Stack {
  /** The GPU cluster construct (cluster, Karpenter, add-ons). */
  public readonly gpuCluster: GpuEksCluster;
  /** The NVIDIA DRA driver chart, when `draDriver` is set. @default - none */
  public readonly draDriverChart?: eks.HelmChart;
  /** EFA support (placement group, device plugin). @default - undefined without the `efa` prop */
  public readonly efa?: GpuEfa;

  constructor(scope: Construct, id: string, props: GpuEksStackProps = {}) {
    // Stack's own `props = {}` default covers undefined only; refuse null before it reads props.env.
    if (typeof props !== 'object' || props === null || Array.isArray(props)) {
      const path = [scope?.node?.path, id].filter((p) => p).join('/');
      throw new GpuConfigError(path || String(id), 'props', `is ${props === null ? 'null' : JSON.stringify(props) ?? String(props)}, not an object`,
        'pass an object of GpuEksStackProps, or omit it for the defaults');
    }
    super(scope, id, props);
    // The DRA, EFA and cluster props are all checked; their problems are thrown together (one GpuConfigError).
    const c = new PropErrors(this);
    const dra = c.run(() => draDriverEnabled(this, props.draDriver));
    // EFA first: the charts in props.charts are rendered by the cluster, so their placement group is bound before.
    this.efa = props.efa === undefined ? undefined : c.run(() => new GpuEfa(this, 'Efa', props.efa!));
    if (this.efa) c.run(() => this.efa!._bindCharts(Array.isArray(props.charts) ? props.charts : []));
    const withEfa: GpuEksClusterProps = this.efa ? { ...props, gpuOperator: _gpuOperatorForEfa(props.gpuOperator) } : props;
    const cluster = c.run(() => new GpuEksCluster(this, 'GpuCluster', dra ? clusterPropsForDra(this, withEfa) : withEfa));
    c.throwIfAny();
    this.gpuCluster = cluster!;
    this.efa?._attach(this.gpuCluster);
    if (dra) {
      const after = [this.gpuCluster.systemNodeGroup, ...(this.gpuCluster.gpuOperatorChart ? [this.gpuCluster.gpuOperatorChart] : [])];
      // (its kubelet plugin tolerates what the GPU Operator's node agents tolerate: GpuEksCluster.addChart checks the pools' taints)
      const tolerations = this.gpuCluster.gpuOperatorSettings?.tolerations;
      this.draDriverChart = installNvidiaDraDriver(this, this.gpuCluster.cluster, after, props.draDriver!, tolerations);
    }

    new CfnOutput(this, 'ClusterName', {
      description: 'EKS cluster name',
      value: this.gpuCluster.clusterName,
    });
    new CfnOutput(this, 'KubeconfigCommand', {
      description: 'Run this to point kubectl at the cluster',
      value: this.gpuCluster.kubeconfigCommand,
    });
    new CfnOutput(this, 'KarpenterInterruptionQueueName', {
      description: 'SQS queue Karpenter reads interruption events from',
      value: this.gpuCluster.interruptionQueue.queueName,
    });
  }

  /**
   * Deploys a cdk8s chart onto the cluster after Karpenter and the add-ons (see `GpuEksCluster.addChart`).
   * @param chart the cdk8s chart
   */
  public addChart(chart: cdk8s.Chart): eks.KubernetesManifest {
    this.efa?._bindCharts([chart]);
    return this.gpuCluster.addChart(chart);
  }
}
