import { hasHashTag, parseClusterNode } from './redis-cluster-node';

describe('parseClusterNode', () => {
  it.each<[unknown, { host: string; port: number }]>([
    ['127.0.0.1:7000', { host: '127.0.0.1', port: 7000 }],
    [' redis-1.internal:6379 ', { host: 'redis-1.internal', port: 6379 }],
    ['[::1]:7001', { host: '::1', port: 7001 }],
    [{ host: 'redis-2', port: 65535 }, { host: 'redis-2', port: 65535 }],
  ])('reads %j', (node, expected) => {
    expect(parseClusterNode(node)).toEqual(expected);
  });

  it.each([
    '127.0.0.1',
    ':7000',
    'host:',
    'host:0',
    'host:65536',
    'host:7000x',
    'a b:7000',
    '::1:7000',
    'redis://host:7000',
    { host: 'a' },
    { host: 'a', port: 1.5 },
    { host: 1, port: 7000 },
    { host: 'a', port: 7000, tls: true },
    ['a', 7000],
    null,
    7000,
  ])('refuses %j', (node) => {
    expect(parseClusterNode(node)).toBeUndefined();
  });
});

describe('hasHashTag', () => {
  it.each(['{bull}', '{analytics}', 'app:{analytics}', '{a}{b}', '{{a}', 'x{a}y', 'a}{b}'])('%j keeps every key of a queue in one slot', (prefix) => {
    expect(hasHashTag(prefix)).toBe(true);
  });

  it.each(['bull', '', '{}', '{}{a}', '{bull', 'bull}'])('%j does not', (prefix) => {
    expect(hasHashTag(prefix)).toBe(false);
  });
});
