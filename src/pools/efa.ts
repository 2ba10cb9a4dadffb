/**
 * EFA networking of GPU node classes: the `EC2NodeClass.spec.networkInterfaces` layout that attaches every EFA device
 * of an instance type, and `spec.placementGroupSelector`.
 *
 * Sources: karpenter-provider-aws v1.14.1 CRD `karpenter.k8s.aws_ec2nodeclasses.yaml` (fields, CEL: one primary
 * `interface` on network card 0 / device 0, at most one `efa-only` per network card); Karpenter design
 * "EFA Support For Static Capacity" (designs/efa-for-static-capacity.md: with `networkInterfaces` set, Karpenter launches
 * every instance with exactly that layout and filters out instance types it does not fit); AWS EKS user guide
 * "Manage EFA devices" (the Karpenter EC2NodeClass example for p6-b200: ENA on card 0 device 0, `efa-only` on card 0
 * device 1 and on device 0 of every other card; "EFA-only interfaces ... do not consume addresses from your subnet");
 * AWS EC2 user guide "Maximize network bandwidth on instances with multiple network cards" (the same recommended
 * layout). Without `networkInterfaces`, Karpenter attaches interfaces of type `efa` (each with an IP address) on every
 * card when a pod requests `vpc.amazonaws.com/efa`: 32 subnet addresses per p5.48xlarge.
 */
import { GpuConfigError } from '../errors';

/** Which EC2 placement group a node class launches into (`spec.placementGroupSelector`). */
export class PlacementGroupSelector {
  /**
   * A placement group by name.
   * @param name the placement group's name in EC2
   */
  public static byName(name: string): PlacementGroupSelector {
    if (typeof name !== 'string' || name.trim() === '') {
      throw new GpuConfigError('PlacementGroupSelector.byName', 'name', `is ${JSON.stringify(name)}`, 'pass the placement group\'s name');
    }
    return new PlacementGroupSelector(name, undefined, false);
  }

  /**
   * A placement group by id.
   * @param id the placement group id, e.g. `pg-0123456789abcdef0`
   */
  public static byId(id: string): PlacementGroupSelector {
    if (typeof id !== 'string' || !/^pg-[0-9a-z]+$/.test(id)) {
      throw new GpuConfigError('PlacementGroupSelector.byId', 'id', `is ${JSON.stringify(id)}, not a placement group id`, 'pass an id like pg-0123456789abcdef0');
    }
    return new PlacementGroupSelector(undefined, id, false);
  }

  /**
   * The cluster placement group `GpuEksStack` creates with its `efa` prop; `GpuEksStack.addChart` (and the stack's
   * `charts` prop) fill in its name. Synth fails while it is unbound.
   */
  public static ofEksStack(): PlacementGroupSelector {
    return new PlacementGroupSelector(undefined, undefined, true);
  }

  private constructor(
    /** The name, when selected by name. */
    public readonly name?: string,
    /** The id, when selected by id. */
    public readonly id?: string,
    /** Whether the name is filled in by `GpuEksStack`. */
    public readonly fromEksStack: boolean = false,
  ) {}
}

/** One `spec.networkInterfaces[]` entry. @internal */
export interface _NetworkInterface {
  readonly networkCardIndex: number;
  readonly deviceIndex: number;
  readonly interfaceType: string;
}

/**
 * The interface layout attaching `efaCount` EFA devices with one IP-carrying interface: ENA on card 0 / device 0,
 * `efa-only` on card 0 / device 1, and `efa-only` on device 0 of cards 1 to efaCount - 1 (EFA instance types have one EFA
 * per network card: p5.48xlarge 32 cards, p4d.24xlarge 4). @internal
 */
export function _efaNetworkInterfaces(efaCount: number): _NetworkInterface[] {
  const out: _NetworkInterface[] = [
    { networkCardIndex: 0, deviceIndex: 0, interfaceType: 'interface' },
    { networkCardIndex: 0, deviceIndex: 1, interfaceType: 'efa-only' },
  ];
  for (let card = 1; card < efaCount; card++) out.push({ networkCardIndex: card, deviceIndex: 0, interfaceType: 'efa-only' });
  return out;
}
