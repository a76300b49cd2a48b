import { decodeBase64Url, encodeBase64Url } from './base64url.util';

describe('encodeBase64Url / decodeBase64Url', () => {
  it('writes padded urlsafe base64 like Python', () => {
    expect(encodeBase64Url(Buffer.from([0xfb, 0xff]))).toBe('-_8=');
    expect(encodeBase64Url(Buffer.from('a'))).toBe('YQ==');
    expect(decodeBase64Url('-_8=')).toEqual(Buffer.from([0xfb, 0xff]));
    expect(decodeBase64Url('')).toEqual(Buffer.alloc(0));
  });

  it.each(['YQ', 'YQ=', '+/8=', 'YQ==YQ==', 'Y Q==', 'YR==', 'YQ==\n'])('refuses %j', (text) => {
    expect(decodeBase64Url(text)).toBeNull();
  });
});
