/** `--tenant a --tenant b,c` → `['a', 'b', 'c']`: the repeatable, comma-separated tenant option. */
export function collectTenants(value: string, previous: string[] = []): string[] {
  return [
    ...previous,
    ...value
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
  ];
}
