type HeaderSetter = (name: string, value: string) => unknown;

/**
 * @internal Sets a header on an Express response (`setHeader`) or a Fastify reply (`header`),
 * by what the object offers rather than by adapter.
 */
export function setResponseHeader(response: unknown, name: string, value: string): void {
  const target = response as { setHeader?: HeaderSetter; header?: HeaderSetter } | null | undefined;
  if (typeof target?.setHeader === 'function') target.setHeader(name, value);
  else if (typeof target?.header === 'function') target.header(name, value);
}
