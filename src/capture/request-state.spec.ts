import { splitUrl } from './request-state';

describe('splitUrl', () => {
  it.each([
    ['/a/b?x=1', '/a/b', 'x=1'],
    ['/a/b', '/a/b', ''],
    ['/?', '/', ''],
    // Absolute form: the scheme and host are not part of the path.
    ['http://evil.test/hit?i=1', '/hit', 'i=1'],
    ['https://api.test:8443/v1/items', '/v1/items', ''],
    ['http://evil.test?next=/a', '/', 'next=/a'],
    ['http://evil.test', '/', ''],
    ['*', '*', ''],
  ])('%s → path %s, query %s', (url, path, query) => {
    expect(splitUrl(url)).toEqual({ path, query });
  });
});
