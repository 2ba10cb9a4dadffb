#!/usr/bin/env python3
"""Extracts JSON schemas of resource.k8s.io/v1 (DRA) and the Kubernetes 1.34 core/v1 claim shapes from the type
declarations of npm kubernetes-models@5.1.0 into test/conformance/data/resource.k8s.io-v1.json.

Usage: mkdir -p /tmp/km && (cd /tmp/km && npm pack kubernetes-models@5.1.0 && tar xzf kubernetes-models-5.1.0.tgz)
       python3 scripts/extract-dra-schemas.py test/conformance/data/resource.k8s.io-v1.json
The package ships compiled validators (ESM, Node >= 22) rather than JSON schemas, and they do not reject unknown
fields; its .d.ts interfaces carry every property, which are required, string enums and the nesting.
"""
import json, re, os, sys
root = '/tmp/km/package'
defs = {}
iface_re = re.compile(r'export interface I(\w+)(?: extends TypeMeta)? \{(.*?)\n\}', re.S)
prop_re = re.compile(r'^\s+"([^"]+)"(\?)?: (.+);$', re.M)
def typ(t):
    t = t.strip()
    m = re.fullmatch(r'Array<(.+)>', t)
    if m: return {'type': 'array', 'items': typ(m.group(1))}
    m = re.fullmatch(r'\{\s*\[key: string\]: (.+);?\s*\}', t)
    if m: return {'type': 'object', 'additionalProperties': typ(m.group(1).rstrip(';'))}
    if t == 'string': return {'type': 'string'}
    if t == 'number': return {'type': 'number'}
    if t == 'boolean': return {'type': 'boolean'}
    if re.fullmatch(r'("[^"]*"\s*\|?\s*)+', t): return {'type': 'string', 'enum': re.findall(r'"([^"]*)"', t)}
    m = re.fullmatch(r'IIoK8sApiResourceV1(\w+)', t)
    if m: return {'$ref': '#/definitions/' + m.group(1)}
    if t == 'IIoK8sApimachineryPkgApiResourceQuantity': return {'$ref': '#/definitions/Quantity'}
    if t == 'IIoK8sApimachineryPkgApisMetaV1ObjectMeta': return {'type': 'object'}  # checked by object-meta.ts
    if t.startswith('IIoK8sApimachinery') or t.startswith('IIoK8sApiCoreV1'): return {'type': 'object'}  # Condition, RawExtension, NodeSelector: free-form here
    if t in ('IDeviceClass["apiVersion"]',): return {}
    raise SystemExit('unknown type ' + t)
for f in sorted(os.listdir(root + '/resource.k8s.io/v1')):
    if not f.endswith('.d.ts') or f == 'index.d.ts': continue
    src = open(root + '/resource.k8s.io/v1/' + f).read()
    src = re.sub(r'/\*\*.*?\*/', '', src, flags=re.S)
    for m in iface_re.finditer(src):
        name, body = m.group(1), m.group(2)
        props, req = {}, []
        for pm in prop_re.finditer(body):
            p, opt, t = pm.groups()
            if p in ('apiVersion', 'kind'):
                props[p] = {'const': t.strip('"')}
            else:
                props[p] = typ(t)
            if not opt: req.append(p)
        d = {'type': 'object', 'additionalProperties': False, 'properties': props}
        if req: d['required'] = req
        defs[name] = d
defs['Quantity'] = {'type': ['string', 'number'], 'pattern': r'^[+-]?(\d+(\.\d*)?|\.\d+)(([KMGTPE]i)|[numkMGTPE]|[eE][+-]?\d+)?$'}
# core/v1 shapes of Kubernetes 1.34 that cdk8s-plus-30 (Kubernetes 1.30) lacks
core = {}
for f, n in (('PodResourceClaim', 'PodResourceClaim'), ('ResourceClaim', 'ResourceClaim')):
    src = re.sub(r'/\*\*.*?\*/', '', open(root + '/v1/' + f + '.d.ts').read(), flags=re.S)
    m = iface_re.search(src)
    props, req = {}, []
    for pm in prop_re.finditer(m.group(2)):
        p, opt, t = pm.groups(); props[p] = typ(t)
        if not opt: req.append(p)
    core[n] = {'type': 'object', 'additionalProperties': False, 'properties': props, 'required': req}
out = {
  '$comment': 'Extracted from the type declarations of npm kubernetes-models@5.1.0 (MIT, github.com/tommy351/kubernetes-models-ts, '
              'generated from the Kubernetes OpenAPI): resource.k8s.io/v1/*.d.ts and v1/{PodResourceClaim,ResourceClaim}.d.ts. '
              'Property names, required properties, string enums and nesting are upstream\'s; unknown fields are rejected. '
              'Regenerate with scripts/extract-dra-schemas.py.',
  'kinds': ['ResourceClaimTemplate', 'ResourceClaim', 'DeviceClass', 'ResourceSlice'],
  'clusterScoped': ['DeviceClass', 'ResourceSlice'],
  'definitions': defs,
  'coreV1Overlay': core,
}
json.dump(out, open(sys.argv[1], 'w'), indent=1, sort_keys=True)
print(len(defs), 'definitions', list(core))
