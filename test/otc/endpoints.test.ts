import { buildUrl, DEFAULT_ENDPOINTS, resolveEndpoint, resolveEndpointTemplates } from '../../src/otc/endpoints';

describe('endpoint templates', () => {
  it("defaults to OTC's public IAM, VBS, EVS, ECS and CBR endpoints", () => {
    const templates = resolveEndpointTemplates(undefined);
    expect(templates).toEqual(DEFAULT_ENDPOINTS);
    expect(resolveEndpoint(templates.iam, 'eu-de')).toBe('https://iam.eu-de.otc.t-systems.com/v3');
    expect(resolveEndpoint(templates.vbs, 'eu-nl')).toBe('https://vbs.eu-nl.otc.t-systems.com');
    expect(resolveEndpoint(templates.evs, 'eu-ch2')).toBe('https://evs.eu-ch2.otc.t-systems.com');
    expect(resolveEndpoint(templates.ecs, 'eu-de')).toBe('https://ecs.eu-de.otc.t-systems.com');
    expect(resolveEndpoint(templates.cbr, 'eu-nl')).toBe('https://cbr.eu-nl.otc.t-systems.com');
  });

  it('takes overrides one by one, without a trailing slash', () => {
    const templates = resolveEndpointTemplates({ vbs: 'https://vbs.{region}.myhuaweicloud.com/', evs: undefined });
    expect(templates.vbs).toBe('https://vbs.{region}.myhuaweicloud.com');
    expect(templates.evs).toBe(DEFAULT_ENDPOINTS.evs);
    expect(resolveEndpointTemplates({ evs: 'http://127.0.0.1:8080' }).evs).toBe('http://127.0.0.1:8080');
    const huawei = resolveEndpointTemplates({ ecs: 'https://ecs.{region}.myhuaweicloud.com/' });
    expect(resolveEndpoint(huawei.ecs, 'ap-southeast-1')).toBe('https://ecs.ap-southeast-1.myhuaweicloud.com');
    expect(huawei.vbs).toBe(DEFAULT_ENDPOINTS.vbs);
  });

  it.each([
    ['ftp://vbs.{region}.example', 'must be an http(s) URL'],
    ['file:///etc/passwd', 'must be an http(s) URL'],
    ['vbs.example', 'not a valid URL'],
    ['https://user:secret@vbs.example', 'must not contain credentials'],
    ['https://vbs.example/?x=1', 'must not contain a query'],
    ['https://vbs.{zone}.example', 'unknown placeholder {zone}'],
  ])('refuses %s', (template, message) => {
    expect(() => resolveEndpointTemplates({ vbs: template })).toThrow(message);
    expect(() => resolveEndpointTemplates({ vbs: template })).not.toThrow(/secret/);
  });

  it('refuses a region that could change the host', () => {
    expect(() => resolveEndpoint(DEFAULT_ENDPOINTS.vbs, 'evil.example/x')).toThrow(RangeError);
    expect(() => resolveEndpoint(DEFAULT_ENDPOINTS.vbs, '')).toThrow(RangeError);
  });
});

describe('buildUrl', () => {
  it('percent-encodes path segments and encodes the query the way the signer does', () => {
    const url = buildUrl(
      'https://evs.eu-de.otc.t-systems.com',
      ['v2', 'p/1', 'cloudvolumes', 'detail'],
      [
        ['name', "db data+(1)*'"],
        ['limit', '10'],
      ],
    );
    expect(url.pathname).toBe('/v2/p%2F1/cloudvolumes/detail');
    expect(url.search).toBe('?name=db%20data%2B%281%29%2A%27&limit=10');
  });
});
