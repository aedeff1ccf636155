import { diffStates } from './diff';

describe('diffStates', () => {
  it('returns {} for equal states', () => {
    expect(diffStates({ a: 1, b: { c: [1, 2] }, d: null }, { a: 1, b: { c: [1, 2] }, d: null })).toEqual({});
  });

  it('keys changes by dotted path through nested objects', () => {
    const before = { name: 'Ada', address: { city: 'London', geo: { lat: 51.5, lng: -0.1 } } };
    const after = { name: 'Ada', address: { city: 'Paris', geo: { lat: 48.9, lng: -0.1 } } };

    expect(diffStates(before, after)).toEqual({
      'address.city': { from: 'London', to: 'Paris' },
      'address.geo.lat': { from: 51.5, to: 48.9 },
    });
  });

  it('reports added keys from null and removed keys to null', () => {
    expect(diffStates({ kept: 1, removed: 'x' }, { kept: 1, added: true })).toEqual({
      removed: { from: 'x', to: null },
      added: { from: null, to: true },
    });
  });

  it('compares arrays whole', () => {
    expect(diffStates({ tags: ['a', 'b'] }, { tags: ['a', 'c'] })).toEqual({ tags: { from: ['a', 'b'], to: ['a', 'c'] } });
    expect(diffStates({ tags: [{ id: 1 }] }, { tags: [{ id: 1 }] })).toEqual({});
  });

  it('treats an object replaced by a scalar as one change', () => {
    expect(diffStates({ owner: { id: 1 } }, { owner: null })).toEqual({ owner: { from: { id: 1 }, to: null } });
  });

  it('compares Dates by time', () => {
    expect(diffStates({ at: new Date(1000) }, { at: new Date(1000) })).toEqual({});
    expect(diffStates({ at: new Date(1000) }, { at: new Date(2000) })).toEqual({ at: { from: new Date(1000), to: new Date(2000) } });
  });

  it('tells a type change apart from an equal value', () => {
    expect(diffStates({ n: 1 }, { n: '1' })).toEqual({ n: { from: 1, to: '1' } });
  });

  it('names a change of the whole state "$"', () => {
    expect(diffStates('draft', 'published')).toEqual({ $: { from: 'draft', to: 'published' } });
    expect(diffStates(null, { a: 1 })).toEqual({ $: { from: null, to: { a: 1 } } });
  });
});
