import { formatIssues, parseErrorBody, parseJsonText, pickOtcRequestId } from '../../src/otc/response-body';
import { z } from 'zod';
import { readFixture, readIamTokenBody } from './helpers';

describe('parseJsonText', () => {
  it("reads the IAM docs' token body despite its trailing comma", () => {
    const parsed = parseJsonText(readIamTokenBody());
    expect(parsed.ok).toBe(true);
    expect(parsed.ok && (parsed.value as { token: { expires_at: string } }).token.expires_at).toBe(
      '2015-11-09T01:42:57.527363Z',
    );
  });

  it('leaves commas inside strings alone and still rejects broken JSON', () => {
    expect(parseJsonText('{"a":"x,}","b":[1,2,],}')).toEqual({ ok: true, value: { a: 'x,}', b: [1, 2] } });
    expect(parseJsonText('{"a":"\\",}"}')).toEqual({ ok: true, value: { a: '",}' } });
    expect(parseJsonText('{"a":')).toEqual({ ok: false });
    expect(parseJsonText('  ')).toEqual({ ok: true, value: undefined });
  });
});

describe('parseErrorBody', () => {
  it.each([
    ['VBS docs', readFixture('vbs_error_response.docs.json'), 'XXXX', 'XXX'],
    ['EVS docs (Cinder style)', readFixture('evs_error_badrequest.docs.json'), 'XXX', 'XXXX'],
    ['CBR docs', readFixture('cbr_error_response.docs.json'), 'BackupService.9900', 'Invalid vault_id provided.'],
    ['IAM, numeric code', '{"error":{"code":401,"message":"nope","title":"Unauthorized"}}', '401', 'nope'],
    ['not JSON', '<html>', undefined, undefined],
    ['JSON of another shape', '{"a":1,"b":2}', undefined, undefined],
  ])('reads %s', (_title, text, otcCode, otcMessage) => {
    expect(parseErrorBody(text)).toMatchObject({ otcCode, otcMessage });
  });

  it('takes the request id an API gateway puts in the body', () => {
    expect(parseErrorBody('{"error_code":"APIGW.0301","error_msg":"m","request_id":"r-1"}').otcRequestId).toBe('r-1');
  });
});

describe('pickOtcRequestId', () => {
  it('takes X-Request-Id, then X-Openstack-Request-Id, then X-Compute-Request-Id', () => {
    expect(pickOtcRequestId({ 'x-compute-request-id': 'c', 'x-openstack-request-id': 'o', 'x-request-id': 'r' })).toBe(
      'r',
    );
    expect(pickOtcRequestId({ 'x-compute-request-id': 'c', 'x-openstack-request-id': 'o' })).toBe('o');
    expect(pickOtcRequestId({ 'x-compute-request-id': ['c', 'd'] })).toBe('c');
    expect(pickOtcRequestId({})).toBeUndefined();
  });
});

describe('formatIssues', () => {
  it('names paths and issue kinds, never values', () => {
    const result = z
      .object({ a: z.array(z.object({ b: z.string() })), c: z.enum(['x']) })
      .safeParse({ a: [{ b: 7 }], c: 'hunter2' });
    expect(result.success).toBe(false);
    const issues = formatIssues(result.error!.issues);
    expect(issues).toEqual(['a.0.b: invalid_type (expected string)', 'c: invalid_value']);
    expect(issues.join()).not.toContain('hunter2');
  });
});
