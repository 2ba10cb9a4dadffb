import { App, Chart, Size, Testing } from 'cdk8s';
import { BOUND, chart, configError, objectsOf } from './helpers';
import { CapacityReservation, GpuAmi, GpuAmiFamily, GpuNodeClass } from '../../src/pools';
import { expectValid } from '../conformance/schema';

const spec = (c: Chart) => objectsOf(c, 'EC2NodeClass')[0].spec;

describe('GpuNodeClass', () => {
  test('defaults: al2023@latest, discovery by cluster tag, encrypted gp3 root, RAID0, IMDSv2 hop limit 1, parallel pulls', () => {
    const c = chart();
    const nc = new GpuNodeClass(c, 'gpu', { name: 'gpu', ...BOUND });
    const s = spec(c);
    expect(nc.nodeClassName).toBe('gpu');
    expect(s.role).toBe('KarpenterNodeRole-demo');
    expect(s.amiSelectorTerms).toEqual([{ alias: 'al2023@latest' }]);
    expect(s.subnetSelectorTerms).toEqual([{ tags: { 'karpenter.sh/discovery': 'demo' } }]);
    expect(s.securityGroupSelectorTerms).toEqual([{ tags: { 'karpenter.sh/discovery': 'demo' } }]);
    expect(s.blockDeviceMappings).toEqual([{ deviceName: '/dev/xvda', ebs: { volumeSize: '200Gi', volumeType: 'gp3', iops: 3000, throughput: 125, encrypted: true, deleteOnTermination: true } }]);
    expect(s.instanceStorePolicy).toBe('RAID0');
    expect(s.metadataOptions).toEqual({ httpEndpoint: 'enabled', httpProtocolIPv6: 'disabled', httpPutResponseHopLimit: 1, httpTokens: 'required' });
    expect(s.userData).toContain('Content-Type: application/node.eks.aws');
    expect(s.userData).toContain('serializeImagePulls: false');
    expect(s.userData).toContain('maxParallelImagePulls: 4');
    expect(s.kubelet).toBeUndefined();
    expectValid(Testing.synth(c));
  });

  test('volume, kubelet, tags, no RAID0, serial pulls, user script merged into the MIME document', () => {
    const c = chart();
    new GpuNodeClass(c, 'gpu', {
      ...BOUND,
      volume: { size: Size.gibibytes(500), iops: 10000, throughputMiBps: 500, kmsKeyId: 'alias/ebs' },
      raid0InstanceStore: false,
      maxPods: 110,
      imageGcHighThresholdPercent: 90,
      imageGcLowThresholdPercent: 70,
      tags: { Environment: 'production' },
      userData: '#!/bin/bash\necho hi',
      maxParallelImagePulls: 8,
    });
    const s = spec(c);
    expect(s.blockDeviceMappings[0].ebs).toMatchObject({ volumeSize: '500Gi', iops: 10000, throughput: 500, kmsKeyID: 'alias/ebs' });
    expect(s.instanceStorePolicy).toBeUndefined();
    expect(s.kubelet).toEqual({ maxPods: 110, imageGCHighThresholdPercent: 90, imageGCLowThresholdPercent: 70 });
    expect(s.tags).toEqual({ Environment: 'production' });
    expect(s.userData).toMatch(/maxParallelImagePulls: 8[\s\S]*Content-Type: text\/x-shellscript[\s\S]*#!\/bin\/bash\necho hi\n[\s\S]*--CDK8S-GPU-BOUNDARY--\n$/);
    expectValid(Testing.synth(c));

    const c2 = chart();
    new GpuNodeClass(c2, 'gpu', { ...BOUND, maxParallelImagePulls: 1, userData: '#!/bin/bash\ntrue' });
    expect(spec(c2).userData).toBe('#!/bin/bash\ntrue');
  });

  test('Bottlerocket: OS + data volume, no NodeConfig, TOML user data only', () => {
    const c = chart();
    new GpuNodeClass(c, 'br', { ...BOUND, ami: GpuAmi.bottlerocket('v1.39.1'), userData: '[settings.kernel]\nlockdown = "integrity"' });
    const s = spec(c);
    expect(s.amiSelectorTerms).toEqual([{ alias: 'bottlerocket@v1.39.1' }]);
    expect(s.blockDeviceMappings.map((b: any) => [b.deviceName, b.ebs.volumeSize])).toEqual([['/dev/xvda', '4Gi'], ['/dev/xvdb', '200Gi']]);
    expect(s.userData).toBe('[settings.kernel]\nlockdown = "integrity"');
    expectValid(Testing.synth(c));
    expect(configError(() => new GpuNodeClass(chart(), 'x', { ami: GpuAmi.bottlerocket(), userData: '#!/bin/bash' })).property).toBe('userData');
    expect(configError(() => new GpuNodeClass(chart(), 'x', { ami: GpuAmi.bottlerocket(), maxParallelImagePulls: 4 })).property).toBe('maxParallelImagePulls');
  });

  test.each([
    ['al2023@latest', GpuAmiFamily.AL2023, false],
    ['al2023@v20250505', GpuAmiFamily.AL2023, true],
    ['bottlerocket@latest', GpuAmiFamily.BOTTLEROCKET, false],
    ['bottlerocket@v1.39.1', GpuAmiFamily.BOTTLEROCKET, true],
  ])('GpuAmi.fromAlias(%s)', (alias, family, pinned) => {
    const ami = GpuAmi.fromAlias(alias);
    expect([ami.alias, ami.family, ami.pinned]).toEqual([alias, family, pinned]);
  });

  test.each([
    ['al2@latest', /family "al2"/],
    ['windows2022@latest', /family "windows2022"/],
    ['al2023', /not family@version/],
    ['al2023@2025-05-05', /neither "latest" nor a release like v20250505/],
    ['bottlerocket@1.39', /v1\.39\.1/],
  ])('GpuAmi.fromAlias(%s) is refused', (alias, msg) => {
    const e = configError(() => GpuAmi.fromAlias(alias));
    expect(e.property).toBe('alias');
    expect(e.message).toMatch(msg);
  });

  test('bindCluster fills role and cluster after construction (lazy), refuses conflicts', () => {
    const c = chart();
    const nc = new GpuNodeClass(c, 'gpu');
    nc.bindCluster('prod', 'prod-node-role');
    expect(spec(c).role).toBe('prod-node-role');
    expect(spec(c).subnetSelectorTerms[0].tags['karpenter.sh/discovery']).toBe('prod');
    nc.bindCluster('prod', 'prod-node-role'); // same values: fine
    const e = configError(() => nc.bindCluster('other', 'prod-node-role'));
    expect(e.message).toBe('test/gpu: clusterName is already "prod", cannot bind it to cluster "other". Fix: drop the clusterName prop or use one node class per cluster');
    const given = new GpuNodeClass(chart(), 'g', { role: 'mine' });
    expect(configError(() => given.bindCluster('c', 'theirs')).property).toBe('role');
    expect(configError(() => new GpuNodeClass(chart(), 'e', { role: ' ' })).property).toBe('role');
  });

  test('an unbound node class fails app synth with a clear message', () => {
    const app = Testing.app();
    const c = new Chart(app, 'platform');
    new GpuNodeClass(c, 'gpu');
    expect(() => app.synth()).toThrow(/platform\/gpu: role is not set\. Fix: pass role .* or call bindCluster/);
    expect(() => Testing.synth(c)).toThrow(/clusterName is not set, so subnets and security groups cannot be discovered/);
    const bound = new App({ outdir: Testing.app().outdir });
    const c2 = new Chart(bound, 'platform');
    new GpuNodeClass(c2, 'gpu').bindCluster('prod', 'role');
    expect(() => bound.synthYaml()).not.toThrow();
  });

  test('capacity reservations render as selector terms, de-duplicated', () => {
    const c = chart();
    const nc = new GpuNodeClass(c, 'gpu', { ...BOUND, capacityReservations: [CapacityReservation.capacityBlock('cr-0123456789abcdef0')] });
    nc.addCapacityReservation(CapacityReservation.capacityBlock('cr-0123456789abcdef0'));
    nc.addCapacityReservation(CapacityReservation.byTags({ team: 'ml' }, { ownerId: '123456789012' }));
    expect(spec(c).capacityReservationSelectorTerms).toEqual([{ id: 'cr-0123456789abcdef0' }, { tags: { team: 'ml' }, ownerID: '123456789012' }]);
    expectValid(Testing.synth(c));
    expect(configError(() => CapacityReservation.onDemandReservation('odcr-1')).message).toMatch(/id is "odcr-1", not a capacity reservation id/);
    expect(configError(() => CapacityReservation.byTags({})).property).toBe('tags');
    expect(configError(() => CapacityReservation.byTags({ a: 'b' }, { ownerId: '12' })).property).toBe('ownerId');
  });

  test.each([
    [{ volume: { iops: 2000 } }, 'volume.iops', /outside gp3's 3000-16000/],
    [{ volume: { iops: 3000, throughputMiBps: 1000 } }, 'volume.throughputMiBps', /above gp3's limit of IOPS\/4 \(750 MiB\/s at 3000 IOPS\)/],
    [{ volume: { size: Size.tebibytes(20) } }, 'volume.size', /20480 GiB/],
    [{ tags: { 'kubernetes.io/cluster/demo': 'owned' } }, 'tags["kubernetes.io/cluster/demo"]', /restricted tag matching kubernetes.io\/cluster/],
    [{ imageGcHighThresholdPercent: 80, imageGcLowThresholdPercent: 85 }, 'imageGcHighThresholdPercent', /not above/],
    [{ imageGcLowThresholdPercent: 101 }, 'imageGcLowThresholdPercent', /not a percentage/],
    [{ maxParallelImagePulls: 0 }, 'maxParallelImagePulls', /is 0/],
    [{ userData: 'MIME-Version: 1.0\n' }, 'userData', /MIME multi-part/],
  ])('refuses %j', (props, property, msg) => {
    const e = configError(() => new GpuNodeClass(chart(), 'bad', { ...BOUND, ...(props as any) }));
    expect(e.constructPath).toBe('test/bad');
    expect(e.property).toBe(property);
    expect(e.message).toMatch(msg);
  });
});
