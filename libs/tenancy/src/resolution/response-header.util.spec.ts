import { setResponseHeader } from './response-header.util';

describe('setResponseHeader', () => {
  it('uses setHeader when the response has it (Express, Node)', () => {
    const res = { setHeader: jest.fn(), header: jest.fn() };
    setResponseHeader(res, 'Retry-After', '5');
    expect(res.setHeader).toHaveBeenCalledWith('Retry-After', '5');
    expect(res.header).not.toHaveBeenCalled();
  });

  it('uses header() otherwise (Fastify reply), keeping `this`', () => {
    const reply = {
      headers: {} as Record<string, string>,
      header(name: string, value: string) {
        this.headers[name] = value;
        return this;
      },
    };
    setResponseHeader(reply, 'Retry-After', '5');
    expect(reply.headers).toEqual({ 'Retry-After': '5' });
  });

  it('ignores anything else', () => {
    expect(() => setResponseHeader(undefined, 'Retry-After', '5')).not.toThrow();
    expect(() => setResponseHeader({}, 'Retry-After', '5')).not.toThrow();
  });
});
