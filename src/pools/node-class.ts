/**
 * GpuNodeClass: the Karpenter `EC2NodeClass` (`karpenter.k8s.aws/v1`) GPU pools launch from.
 *
 * Field semantics and limits: karpenter-provider-aws v1.14.1 CRD `karpenter.k8s.aws_ec2nodeclasses.yaml`
 * (`../shared/reference/crds`), Karpenter docs "NodeClasses"; AL2023 `NodeConfig` user data: awslabs
 * amazon-eks-ami "nodeadm" docs; gp3 limits: the CRD field docs (3,000-16,000 IOPS, 125-1,000 MiB/s).
 */
import { ApiObject, Lazy, Size, SizeRoundingBehavior } from 'cdk8s';
import { Construct } from 'constructs';
import { GpuConfigError } from '../errors';
import { NameRule, validateDns1123Name } from '../naming';
import { CapacityReservation } from './capacity';
import { _efaNetworkInterfaces, PlacementGroupSelector } from './efa';
import { Ec2NodeClass, Ec2NodeClassSpec } from '../imports/karpenter.k8s.aws';
import { PropErrors } from '../private/collect';
import { describeValue } from '../private/describe';

/** The AMI family of a {@link GpuAmi}. */
export enum GpuAmiFamily {
  /**
   * Amazon Linux 2023. For GPU instance types Karpenter picks the EKS-optimized AL2023 **NVIDIA** variant
   * (driver and container toolkit included). It does NOT run the NVIDIA device plugin: install the
   * NVIDIA k8s-device-plugin (Helm chart `nvidia-device-plugin`) or the NVIDIA GPU Operator with
   * `driver.enabled=false` and `toolkit.enabled=false`, or GPU nodes never advertise `nvidia.com/gpu`.
   */
  AL2023 = 'al2023',
  /**
   * Bottlerocket. Its NVIDIA variant ships the driver and runs the device plugin itself (no GPU Operator
   * driver/toolkit/device plugin needed). User data is TOML settings, not a shell script.
   */
  BOTTLEROCKET = 'bottlerocket',
}

/** The AMI of a GPU node class, as a Karpenter `amiSelectorTerms[].alias` (`family@version`). */
export class GpuAmi {
  /**
   * EKS-optimized Amazon Linux 2023 (NVIDIA variant on GPU types).
   * @param version `latest` or a pinned release such as `v20250505` @default 'latest'
   */
  public static al2023(version: string = 'latest'): GpuAmi {
    return GpuAmi.fromAlias(`al2023@${version}`);
  }

  /**
   * Bottlerocket (NVIDIA variant on GPU types).
   * @param version `latest` or a pinned release such as `v1.39.1` @default 'latest'
   */
  public static bottlerocket(version: string = 'latest'): GpuAmi {
    return GpuAmi.fromAlias(`bottlerocket@${version}`);
  }

  /**
   * An alias as written in an EC2NodeClass, e.g. `al2023@latest`, `al2023@v20250505`, `bottlerocket@v1.39.1`.
   * @throws GpuConfigError for other families (AL2 is end-of-life; Windows has no GPU AMI) or malformed versions
   */
  public static fromAlias(alias: string): GpuAmi {
    const where = 'GpuAmi';
    const m = /^([a-zA-Z0-9]+)@(.+)$/.exec(alias ?? '');
    if (!m) {
      throw new GpuConfigError(where, 'alias', `is ${JSON.stringify(alias)}, not family@version`, 'write e.g. al2023@latest or al2023@v20250505');
    }
    const [, family, version] = m;
    if (family !== 'al2023' && family !== 'bottlerocket') {
      throw new GpuConfigError(where, 'alias', `has the family "${family}", which has no supported GPU AMI here (AL2 reached end of support; Windows has no NVIDIA AMI)`,
        'use al2023@<version> or bottlerocket@<version>');
    }
    const pinned = family === GpuAmiFamily.AL2023 ? /^v[0-9]{8}$/ : /^v[0-9]+\.[0-9]+\.[0-9]+$/;
    if (version !== 'latest' && !pinned.test(version)) {
      const example = family === GpuAmiFamily.AL2023 ? 'v20250505' : 'v1.39.1';
      throw new GpuConfigError(where, 'alias', `has the version "${version}", neither "latest" nor a release like ${example}`,
        `pin a release from the ${family} release notes, e.g. ${family}@${example}`);
    }
    if (alias.length > 30) {
      throw new GpuConfigError(where, 'alias', `is ${alias.length} characters, over the CRD's limit of 30`, 'shorten the version');
    }
    return new GpuAmi(family as GpuAmiFamily, version);
  }

  private constructor(
    /** The AMI family. */
    public readonly family: GpuAmiFamily,
    /** `latest` or the pinned release. */
    public readonly version: string,
  ) {}

  /** The alias, e.g. `al2023@latest`. */
  public get alias(): string {
    return `${this.family}@${this.version}`;
  }

  /** Whether the version is pinned (recommended in production: `latest` drifts every node on each AMI release). */
  public get pinned(): boolean {
    return this.version !== 'latest';
  }
}

/** Root (AL2023) or data (Bottlerocket) EBS volume of GPU nodes. */
export interface GpuNodeVolumeOptions {
  /** Volume size (GPU images are often 10-20 GB each). @default Size.gibibytes(200) */
  readonly size?: Size;
  /** gp3 IOPS, 3,000-16,000. @default 3000 */
  readonly iops?: number;
  /** gp3 throughput in MiB/s, 125-1,000 (at most IOPS / 4). @default 125 */
  readonly throughputMiBps?: number;
  /** Encrypt the volume. @default true */
  readonly encrypted?: boolean;
  /** KMS key (id or ARN) for encryption. @default - the account's default EBS key */
  readonly kmsKeyId?: string;
}

/** Props of {@link GpuNodeClass}. */
export interface GpuNodeClassProps {
  /** `metadata.name` of the EC2NodeClass. @default - generated from the construct path */
  readonly name?: string;
  /** The AMI. @default GpuAmi.al2023() (`al2023@latest`; pin a version in production) */
  readonly ami?: GpuAmi;
  /**
   * The IAM role (name) of the nodes; Karpenter creates the instance profile. May be set later by an EKS
   * construct through {@link GpuNodeClass.bindCluster}.
   * @default - must be bound with bindCluster() before synth
   */
  readonly role?: string;
  /**
   * The EKS cluster name: subnets and security groups are discovered by the tag `karpenter.sh/discovery` with
   * this value. May be set later through {@link GpuNodeClass.bindCluster}.
   * @default - must be bound with bindCluster() before synth
   */
  readonly clusterName?: string;
  /** Root volume (AL2023) or container data volume (Bottlerocket). @default - 200 GiB gp3, 3000 IOPS, 125 MiB/s, encrypted */
  readonly volume?: GpuNodeVolumeOptions;
  /**
   * Build a RAID0 array of the instance's local NVMe disks and put images and ephemeral storage on it
   * (`instanceStorePolicy: RAID0`; p4d/p5/g5/g6 have NVMe; a no-op on types without instance store).
   * @default true
   */
  readonly raid0InstanceStore?: boolean;
  /** Tags on the EC2 instances, volumes and network interfaces. @default - none */
  readonly tags?: Record<string, string>;
  /**
   * Extra user data. AL2023: a shell script (`#!...`) or a NodeConfig YAML document; Bottlerocket: TOML
   * settings. Karpenter merges its own bootstrap into it.
   * @default - none
   */
  readonly userData?: string;
  /** kubelet `maxPods`. @default - Karpenter's default for the instance type */
  readonly maxPods?: number;
  /** kubelet `imageGCHighThresholdPercent` (0-100, above the low threshold). @default - kubelet default (85) */
  readonly imageGcHighThresholdPercent?: number;
  /** kubelet `imageGCLowThresholdPercent` (0-100). @default - kubelet default (80) */
  readonly imageGcLowThresholdPercent?: number;
  /**
   * Images the kubelet pulls in parallel (`serializeImagePulls: false` + `maxParallelImagePulls`), so one 15 GB
   * model-server image does not hold up every other pod on a new node. AL2023 only (rendered as a NodeConfig
   * in the user data; the EC2NodeClass `kubelet` block has no such field); 1 means serial pulls.
   * @default 4 on AL2023; not configurable on Bottlerocket
   */
  readonly maxParallelImagePulls?: number;
  /** Capacity reservations (ODCR, Capacity Blocks) nodes may launch into. @default - none */
  readonly capacityReservations?: CapacityReservation[];
  /**
   * Attach this many EFA devices to every node (`spec.networkInterfaces`: ENA on network card 0, `efa-only` on card 0
   * device 1 and on every further card; see pools/efa.ts). Karpenter then launches only instance types this layout
   * fits. A pool with `efa: true` sets it from its instance types.
   * @default - none: Karpenter attaches EFA interfaces (each with an IP address) only when a pod requests vpc.amazonaws.com/efa
   */
  readonly efaInterfaces?: number;
  /**
   * The EC2 placement group nodes launch into (`spec.placementGroupSelector`); a cluster placement group keeps EFA
   * traffic between nodes on the same network spine.
   * @default - none
   */
  readonly placementGroup?: PlacementGroupSelector;
}

const RESTRICTED_TAGS: Array<[(k: string) => boolean, string]> = [
  [(k) => k === '', 'empty tag keys aren\'t supported'],
  [(k) => k === 'eks:eks-cluster-name', 'tag contains a restricted tag matching eks:eks-cluster-name'],
  [(k) => k.startsWith('kubernetes.io/cluster'), 'tag contains a restricted tag matching kubernetes.io/cluster/'],
  [(k) => k === 'karpenter.sh/nodepool', 'tag contains a restricted tag matching karpenter.sh/nodepool'],
  [(k) => k === 'karpenter.sh/nodeclaim', 'tag contains a restricted tag matching karpenter.sh/nodeclaim'],
  [(k) => k === 'karpenter.k8s.aws/ec2nodeclass', 'tag contains a restricted tag matching karpenter.k8s.aws/ec2nodeclass'],
];

/**
 * The Karpenter `EC2NodeClass` for GPU nodes; one node class may be shared by several pools.
 *
 * Defaults avoid known traps: IMDSv2 required with hop limit 1 (pods cannot reach the node role), encrypted gp3
 * root volume, RAID0 local NVMe, parallel image pulls on AL2023. GPU nodes need an NVIDIA device plugin to
 * advertise `nvidia.com/gpu` (see {@link GpuAmiFamily}): without it pods stay Pending while Karpenter keeps the
 * node, which never gets GPUs.
 */
export class GpuNodeClass extends Construct {
  /** The generated EC2NodeClass (escape hatch: `addJsonPatch`). */
  public readonly nodeClass: ApiObject;
  /** The AMI. */
  public readonly ami: GpuAmi;
  private _role?: string;
  private _clusterName?: string;
  private readonly props: GpuNodeClassProps;
  private readonly reservations: CapacityReservation[] = [];
  private _efaInterfaces?: number;
  private _placementGroupName?: string;

  constructor(scope: Construct, id: string, props: GpuNodeClassProps = {}) {
    super(scope, id);
    props = props ?? {};
    this.props = props;
    // Every independent prop is checked; the problems are thrown together (one GpuConfigError).
    const c = new PropErrors(this);
    // The name is also the node label karpenter.k8s.aws/ec2nodeclass, so at most 63 characters.
    if (props.name !== undefined) c.run(() => validateDns1123Name(this, 'name', props.name!, NameRule.DNS1123_SUBDOMAIN, 63));
    const amiOk = c.run(() => {
      if (props.ami !== undefined && !(props.ami instanceof GpuAmi)) {
        const v: unknown = props.ami;
        const family = typeof v === 'string' ? v.split('@')[0].toLowerCase() : undefined;
        const hint = family === 'al2' ? ' (AL2\'s EKS-optimized AMIs reached end of support: there is no GPU AMI for it here)'
          : family === 'al2023' || family === 'bottlerocket' ? ` (a GpuAmi, not its alias string: pass GpuAmi.fromAlias(${JSON.stringify(v)}))` : '';
        throw new GpuConfigError(this, 'ami', `is ${describeValue(v)}, not a GpuAmi${hint}`,
          'use GpuAmi.al2023(), GpuAmi.bottlerocket() or GpuAmi.fromAlias(\'al2023@v20250505\')');
      }
      return true;
    });
    this.ami = amiOk ? props.ami ?? GpuAmi.al2023() : GpuAmi.al2023();
    this._role = c.run(() => this.checkNonEmpty('role', props.role));
    this._clusterName = c.run(() => this.checkNonEmpty('clusterName', props.clusterName));
    this.validateProps(props, c);
    c.run(() => {
      if (props.capacityReservations !== undefined && !Array.isArray(props.capacityReservations)) {
        throw new GpuConfigError(this, 'capacityReservations', `is ${describeValue(props.capacityReservations)}, not an array`,
          'pass a list of CapacityReservation, e.g. [CapacityReservation.onDemandReservation(\'cr-0123456789abcdef0\')]');
      }
    });
    if (!c.failed('capacityReservations')) for (const r of props.capacityReservations ?? []) c.run(() => this.addCapacityReservation(r));
    if (props.efaInterfaces !== undefined) c.run(() => this.useEfaInterfaces(props.efaInterfaces!));
    c.run(() => {
      if (props.placementGroup !== undefined && !(props.placementGroup instanceof PlacementGroupSelector)) {
        throw new GpuConfigError(this, 'placementGroup', `is ${describeValue(props.placementGroup)}, not a PlacementGroupSelector`,
          'pass PlacementGroupSelector.byName(name), .byId(id) or .ofEksStack()');
      }
    });
    c.throwIfAny();

    this.nodeClass = new Ec2NodeClass(this, 'Resource', {
      ...(props.name !== undefined ? { metadata: { name: props.name } } : {}),
      spec: Lazy.any({ produce: () => this._renderSpec() }) as any,
    });
    this.node.defaultChild = this.nodeClass;
    this.node.addValidation({ validate: () => this.unboundProblems() });
  }

  /** The EC2NodeClass's `metadata.name` (what a NodePool's `nodeClassRef.name` points at). */
  public get nodeClassName(): string {
    return this.nodeClass.name;
  }

  /** The node IAM role name, once set. */
  public get role(): string | undefined {
    return this._role;
  }

  /** The cluster name used for subnet and security-group discovery, once set. */
  public get clusterName(): string | undefined {
    return this._clusterName;
  }

  /** The capacity reservations nodes may launch into. */
  public get capacityReservations(): CapacityReservation[] {
    return [...this.reservations];
  }

  /** EFA devices attached to every node (0: none configured). */
  public get efaInterfaces(): number {
    return this._efaInterfaces ?? 0;
  }

  /**
   * Attach `count` EFA devices to every node (see the `efaInterfaces` prop). Called by pools with `efa: true`; a node
   * class shared by pools whose instance types have different EFA counts is refused.
   * @param count EFA devices per node, 1 to 64 (one per network card)
   */
  public useEfaInterfaces(count: number): void {
    if (typeof count !== 'number' || !Number.isInteger(count) || count < 1 || count > 64) {
      throw new GpuConfigError(this, 'efaInterfaces', `is ${JSON.stringify(count)}`, 'pass the EFA count of the instance type, 1 to 64 (p5.48xlarge 32, p4d.24xlarge 4)');
    }
    if (this._efaInterfaces !== undefined && this._efaInterfaces !== count) {
      throw new GpuConfigError(this, 'efaInterfaces', `is already ${this._efaInterfaces}, cannot also be ${count}: one node class has one interface layout`,
        'give pools of instance types with different EFA counts their own node class');
    }
    this._efaInterfaces = count;
  }

  /**
   * Fill in the name of the placement group `GpuEksStack` created, when `placementGroup` is
   * `PlacementGroupSelector.ofEksStack()` (otherwise a no-op).
   * @param name the placement group name
   */
  public bindPlacementGroup(name: string): void {
    if (!this.props.placementGroup?.fromEksStack) return;
    if (typeof name !== 'string' || name === '') {
      throw new GpuConfigError(this, 'placementGroup', 'is bound to an empty name', 'pass the placement group name');
    }
    this._placementGroupName = name;
  }

  /**
   * Fill in the cluster name and node role where they were not given as props (called by an EKS construct
   * that owns both). A value already set to something else is a conflict.
   * @param clusterName the EKS cluster name (value of the `karpenter.sh/discovery` tag)
   * @param nodeRoleName the IAM role name of Karpenter-launched nodes
   */
  public bindCluster(clusterName: string, nodeRoleName: string): void {
    const c = this.checkNonEmpty('clusterName', clusterName);
    const r = this.checkNonEmpty('role', nodeRoleName);
    if (this._clusterName !== undefined && this._clusterName !== c) {
      throw new GpuConfigError(this, 'clusterName', `is already "${this._clusterName}", cannot bind it to cluster "${c}"`,
        'drop the clusterName prop or use one node class per cluster');
    }
    if (this._role !== undefined && this._role !== r) {
      throw new GpuConfigError(this, 'role', `is already "${this._role}", cannot bind it to the node role "${r}"`,
        'drop the role prop so the cluster\'s node role is used');
    }
    this._clusterName = c;
    this._role = r;
  }

  /** Let nodes launch into this reservation too (duplicates are ignored). At most 30 terms. */
  public addCapacityReservation(reservation: CapacityReservation): void {
    if (!_isCapacityReservation(reservation)) {
      throw new GpuConfigError(this, 'capacityReservations', `gets ${describeValue(reservation)}, not a CapacityReservation`,
        'make it with CapacityReservation.onDemandReservation(id), .capacityBlock(id, endsAt) or .byTags(tags)');
    }
    if (this.reservations.some((r) => r._key() === reservation._key())) return;
    if (this.reservations.length >= 30) {
      throw new GpuConfigError(this, 'capacityReservations', 'has 30 entries already, the CRD maximum', 'select reservations by tags instead of one id each');
    }
    this.reservations.push(reservation);
  }

  private checkNonEmpty(prop: string, v: string | undefined): string | undefined {
    if (v === undefined) return undefined;
    if (typeof v !== 'string' || v.trim() === '') {
      throw new GpuConfigError(this, prop, 'is empty', `pass the ${prop === 'role' ? 'node IAM role name' : 'EKS cluster name'} or leave it unset and call bindCluster()`);
    }
    return v;
  }

  private unboundProblems(): string[] {
    const out: string[] = [];
    if (this._role === undefined) {
      out.push(new GpuConfigError(this, 'role', 'is not set', 'pass role (the node IAM role name) or call bindCluster(clusterName, nodeRoleName), e.g. from GpuEksStack').message);
    }
    if (this._clusterName === undefined) {
      out.push(new GpuConfigError(this, 'clusterName', 'is not set, so subnets and security groups cannot be discovered', 'pass clusterName or call bindCluster(clusterName, nodeRoleName)').message);
    }
    if (this.props.placementGroup?.fromEksStack && this._placementGroupName === undefined) {
      out.push(new GpuConfigError(this, 'placementGroup', 'is PlacementGroupSelector.ofEksStack(), but no GpuEksStack with efa bound it',
        'deploy the chart with GpuEksStack.addChart on a stack with the efa prop, or select the placement group byName/byId').message);
    }
    return out;
  }

  private validateProps(props: GpuNodeClassProps, c: PropErrors): void {
    const v = props.volume ?? {};
    c.run(() => {
      if (v.size !== undefined) {
        const gib = v.size.toGibibytes({ rounding: SizeRoundingBehavior.NONE });
        if (!Number.isInteger(gib) || gib < 1 || gib > 16384) {
          throw new GpuConfigError(this, 'volume.size', `is ${gib} GiB`, 'use a whole number of GiB between 1 and 16384 (gp3)');
        }
      }
    });
    const iops = c.run(() => {
      const n = v.iops ?? 3000;
      if (!Number.isInteger(n) || n < 3000 || n > 16000) {
        throw new GpuConfigError(this, 'volume.iops', `is ${n}, outside gp3's 3000-16000`, 'pick a gp3 IOPS value between 3000 and 16000');
      }
      return n;
    });
    const tp = c.run(() => {
      const n = v.throughputMiBps ?? 125;
      if (!Number.isInteger(n) || n < 125 || n > 1000) {
        throw new GpuConfigError(this, 'volume.throughputMiBps', `is ${n}, outside gp3's 125-1000 MiB/s`, 'pick a throughput between 125 and 1000');
      }
      return n;
    });
    if (iops !== undefined && tp !== undefined) {
      c.run(() => {
        if (tp > iops / 4) {
          throw new GpuConfigError(this, 'volume.throughputMiBps', `is ${tp} MiB/s, above gp3's limit of IOPS/4 (${iops / 4} MiB/s at ${iops} IOPS)`,
            `raise volume.iops to at least ${tp * 4} or lower the throughput`);
        }
      });
    }
    for (const [k, val] of Object.entries(props.tags ?? {})) {
      c.run(() => {
        const hit = RESTRICTED_TAGS.find(([test]) => test(k));
        if (hit) throw new GpuConfigError(this, `tags[${JSON.stringify(k)}]`, `is refused by Karpenter: ${hit[1]}`, 'Karpenter sets this tag itself; use another key');
        if (typeof val !== 'string') throw new GpuConfigError(this, `tags[${JSON.stringify(k)}]`, 'is not a string', 'tag values are strings');
      });
    }
    const pct = (name: string, x: number | undefined) => c.run(() => {
      if (x !== undefined && (!Number.isInteger(x) || x < 0 || x > 100)) {
        throw new GpuConfigError(this, name, `is ${x}, not a percentage 0-100`, 'pass a whole percentage');
      }
    });
    pct('imageGcHighThresholdPercent', props.imageGcHighThresholdPercent);
    pct('imageGcLowThresholdPercent', props.imageGcLowThresholdPercent);
    if (props.imageGcHighThresholdPercent !== undefined && props.imageGcLowThresholdPercent !== undefined
      && !c.failed('imageGcHighThresholdPercent', 'imageGcLowThresholdPercent')
      && props.imageGcHighThresholdPercent <= props.imageGcLowThresholdPercent) {
      c.add(new GpuConfigError(this, 'imageGcHighThresholdPercent', `is ${props.imageGcHighThresholdPercent}, not above imageGcLowThresholdPercent (${props.imageGcLowThresholdPercent})`,
        'make the high threshold greater than the low one, e.g. 85 and 80'));
    }
    c.run(() => {
      if (props.maxPods !== undefined && (!Number.isInteger(props.maxPods) || props.maxPods < 1 || props.maxPods > 2147483647)) {
        throw new GpuConfigError(this, 'maxPods', `is ${props.maxPods}`, 'pass a positive whole number');
      }
    });
    c.run(() => {
      if (props.maxParallelImagePulls !== undefined) {
        if (this.ami.family !== GpuAmiFamily.AL2023) {
          throw new GpuConfigError(this, 'maxParallelImagePulls', `is set, but ${this.ami.alias} is not AL2023 (this construct renders it as an AL2023 NodeConfig)`,
            'drop maxParallelImagePulls, or use GpuAmi.al2023()');
        }
        if (!Number.isInteger(props.maxParallelImagePulls) || props.maxParallelImagePulls < 1) {
          throw new GpuConfigError(this, 'maxParallelImagePulls', `is ${props.maxParallelImagePulls}`, 'pass a whole number >= 1 (1 = serial pulls)');
        }
      }
    });
    if (props.userData !== undefined && !c.failed('maxParallelImagePulls')) {
      c.run(() => {
        const ud = props.userData!;
        if (this.ami.family === GpuAmiFamily.BOTTLEROCKET && /^\s*(#!|MIME-Version:)/i.test(ud)) {
          throw new GpuConfigError(this, 'userData', 'is a shell script or MIME document, but Bottlerocket user data is TOML settings',
            'write Bottlerocket settings, e.g. [settings.kernel] lines, or use GpuAmi.al2023() for shell scripts');
        }
        if (this.ami.family === GpuAmiFamily.AL2023 && this.parallelPulls() > 1 && /^\s*MIME-Version:/i.test(ud)) {
          throw new GpuConfigError(this, 'userData', 'is a MIME multi-part document, which this construct cannot merge with its parallel-image-pull NodeConfig',
            'add the NodeConfig part yourself and set maxParallelImagePulls: 1, or pass a plain shell script');
        }
      });
    }
  }

  private parallelPulls(): number {
    if (this.ami.family !== GpuAmiFamily.AL2023) return 1;
    return this.props.maxParallelImagePulls ?? 4;
  }

  /** The user data, with a NodeConfig for parallel image pulls on AL2023. @internal */
  public _userData(): string | undefined {
    const user = this.props.userData;
    const pulls = this.parallelPulls();
    if (pulls <= 1) return user;
    const boundary = 'CDK8S-GPU-BOUNDARY';
    const nodeConfig = [
      'apiVersion: node.eks.aws/v1alpha1',
      'kind: NodeConfig',
      'spec:',
      '  kubelet:',
      '    config:',
      '      serializeImagePulls: false',
      `      maxParallelImagePulls: ${pulls}`,
    ].join('\n');
    const parts = [`--${boundary}\nContent-Type: application/node.eks.aws\n\n${nodeConfig}\n`];
    if (user !== undefined && user.trim() !== '') {
      const isScript = /^\s*#!/.test(user);
      const type = isScript ? 'text/x-shellscript; charset="us-ascii"' : 'application/node.eks.aws';
      parts.push(`--${boundary}\nContent-Type: ${type}\n\n${user.endsWith('\n') ? user : user + '\n'}`);
    }
    return `MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary="${boundary}"\n\n${parts.join('\n')}\n--${boundary}--\n`;
  }

  /** The volumes: AL2023's root volume, or Bottlerocket's OS volume and data volume. */
  private blockDeviceMappings(): any[] {
    const v = this.props.volume ?? {};
    const sizeGiB = v.size ? v.size.toGibibytes({ rounding: SizeRoundingBehavior.NONE }) : 200;
    const ebs = {
      volumeSize: `${sizeGiB}Gi`,
      volumeType: 'gp3',
      iops: v.iops ?? 3000,
      throughput: v.throughputMiBps ?? 125,
      encrypted: v.encrypted ?? true,
      ...(v.kmsKeyId ? { kmsKeyId: v.kmsKeyId } : {}),
      deleteOnTermination: true,
    };
    return this.ami.family === GpuAmiFamily.BOTTLEROCKET
      ? [
        // Bottlerocket: OS volume (Karpenter's default 4Gi) + data volume for images and containers
        { deviceName: '/dev/xvda', ebs: { volumeSize: '4Gi', volumeType: 'gp3', encrypted: ebs.encrypted, ...(v.kmsKeyId ? { kmsKeyId: v.kmsKeyId } : {}), deleteOnTermination: true } },
        { deviceName: '/dev/xvdb', ebs },
      ]
      : [{ deviceName: '/dev/xvda', ebs }];
  }

  /**
   * What of the spec decides the nodes' disk (AMI alias, volumes, instance store policy), known before the node class
   * is bound to a cluster: workloads check their ephemeral storage against it at construction. @internal
   */
  public _diskSpec(): any {
    return {
      amiSelectorTerms: [{ alias: this.ami.alias }],
      blockDeviceMappings: this.blockDeviceMappings(),
      ...((this.props.raid0InstanceStore ?? true) ? { instanceStorePolicy: 'RAID0' } : {}),
    };
  }

  /** The spec. @internal */
  public _renderSpec(): Ec2NodeClassSpec {
    const problems = this.unboundProblems();
    if (problems.length > 0) {
      if (this._role !== undefined && this._clusterName !== undefined) {
        throw new GpuConfigError(this, 'placementGroup', 'is PlacementGroupSelector.ofEksStack(), but no GpuEksStack with efa bound it at synth time',
          'deploy the chart with GpuEksStack.addChart on a stack with the efa prop, or select the placement group byName/byId');
      }
      throw new GpuConfigError(this, this._role === undefined ? 'role' : 'clusterName', 'is not set at synth time',
        'pass role and clusterName, or call bindCluster(clusterName, nodeRoleName) before synth');
    }
    // (the AMI, volumes and instance store policy: what decides the nodes' disk, as workloads read it at construction)
    const disk = this._diskSpec();
    const kubelet: Record<string, number> = {};
    if (this.props.maxPods !== undefined) kubelet.maxPods = this.props.maxPods;
    if (this.props.imageGcHighThresholdPercent !== undefined) kubelet.imageGcHighThresholdPercent = this.props.imageGcHighThresholdPercent;
    if (this.props.imageGcLowThresholdPercent !== undefined) kubelet.imageGcLowThresholdPercent = this.props.imageGcLowThresholdPercent;
    const discovery = { 'karpenter.sh/discovery': this._clusterName! };
    const pg = this.props.placementGroup;
    const placementGroupSelector = pg === undefined ? undefined
      : pg.fromEksStack ? { name: this._placementGroupName! } : pg.id !== undefined ? { id: pg.id } : { name: pg.name! };
    const spec: any = {
      role: this._role,
      amiSelectorTerms: disk.amiSelectorTerms,
      subnetSelectorTerms: [{ tags: { ...discovery } }],
      securityGroupSelectorTerms: [{ tags: { ...discovery } }],
      blockDeviceMappings: disk.blockDeviceMappings,
      ...(disk.instanceStorePolicy ? { instanceStorePolicy: disk.instanceStorePolicy } : {}),
      metadataOptions: { httpEndpoint: 'enabled', httpProtocolIPv6: 'disabled', httpPutResponseHopLimit: 1, httpTokens: 'required' },
      ...(Object.keys(kubelet).length > 0 ? { kubelet } : {}),
      ...(this.props.tags && Object.keys(this.props.tags).length > 0 ? { tags: { ...this.props.tags } } : {}),
      ...(this._userData() !== undefined ? { userData: this._userData() } : {}),
      ...(this._efaInterfaces !== undefined ? { networkInterfaces: _efaNetworkInterfaces(this._efaInterfaces) } : {}),
      ...(placementGroupSelector ? { placementGroupSelector } : {}),
      ...(this.reservations.length > 0 ? {
        capacityReservationSelectorTerms: this.reservations.map((r) => {
          const t = r._toSelectorTerm();
          return { ...(t.id ? { id: t.id } : {}), ...(t.tags ? { tags: t.tags } : {}), ...(t.ownerID ? { ownerId: t.ownerID } : {}) };
        }),
      } : {}),
    };
    return spec as Ec2NodeClassSpec;
  }
}

/**
 * Whether `r` is a CapacityReservation: by class, or by shape so that copies of this library loaded from another
 * package also pass. @internal
 */
export function _isCapacityReservation(r: unknown): r is CapacityReservation {
  return r instanceof CapacityReservation || (typeof r === 'object' && r !== null
    && typeof (r as any)._key === 'function' && typeof (r as any)._toSelectorTerm === 'function');
}

