/**
 * `byCodeUnits`, the one string order of rule ids and of NodePool, NodeOverlay and MIG profile names: for the names
 * Kubernetes allows it must order exactly as `localeCompare` did before it (so no message or tie-break moved), and it is
 * the code-unit (Go byte) order, not a locale's, for anything else.
 */
import * as fc from 'fast-check';
import { byCodeUnits } from '../../src/private/order';
import { defaultRegistry } from '../../src/validation';
import { params } from '../property/arbitraries';

/** DNS-1123 subdomain characters: what NodePool, NodeOverlay and namespace names are made of. */
const dnsName = fc.stringMatching(/^[a-z0-9][a-z0-9.-]{0,12}$/);

test('for DNS names it orders as localeCompare does', () => {
  fc.assert(fc.property(dnsName, dnsName, (a, b) => {
    expect(byCodeUnits(a, b)).toBe(Math.sign(a.localeCompare(b)));
  }), params(2000));
});

test('it is the code-unit order, not a locale\'s', () => {
  expect(byCodeUnits('B', 'a')).toBe(-1); // localeCompare puts a first
  expect(byCodeUnits('a', 'B')).toBe(1);
  expect(byCodeUnits('gpu-a', 'gpu-a')).toBe(0);
  expect(['gpu.b', 'gpu-b', 'gpu0', 'gpua'].sort(byCodeUnits)).toEqual(['gpu-b', 'gpu.b', 'gpu0', 'gpua']);
});

test('the rule registry lists its rules by id', () => {
  const ids = defaultRegistry().all().map((r) => r.id);
  expect(ids.length).toBeGreaterThan(40);
  expect(ids).toEqual([...ids].sort());
});
