import fc from 'fast-check';

/** The seeded store (test/resolution/support): who may ever be served. */
export const ACTIVE = ['acme', 'globex', 'tenant-000', 'tenant-001', 'tenant-002'];
const INACTIVE = ['frozen-co', 'gone-co', 'pending-co'];
/** Identifiers the fuzz starts from: active, inactive, unknown, too short. */
const KNOWN = [...ACTIVE, ...INACTIVE, 'ghost-co', 'acme-x', 'a', 'ac'];

/** Characters that break parsers, paths, SQL, logs and eyes. */
const NASTY = [
  '\0',
  '"',
  "'",
  '`',
  ';',
  '..',
  '/',
  '\\',
  '%00',
  '%2e',
  '%2F',
  '%',
  ' ',
  '\t',
  '\u00a0',
  '\u200b',
  '\ufeff',
  '\u202e',
  '\u2028',
  '\r',
  '\n',
  ',',
  '=',
  '<',
  '>',
  '{',
  '}',
  '$',
  '*',
  '?',
  '#',
  '&',
  '|',
  '\u00e9',
  '\u{1d41a}',
  '\ud800',
  'A',
  'Z',
  '-',
  '_',
  '.',
  ':',
  '@',
  '\u0000acme',
  ' OR 1=1--',
];
/** Look-alikes of identifier characters (Cyrillic, Greek, fullwidth, dashes, invisible). */
const HOMOGLYPHS: Record<string, string[]> = {
  a: ['\u0430', '\u00e0', '\uff41', '\u0251'],
  c: ['\u0441', '\u03f2'],
  e: ['\u0435', '\u00e9'],
  o: ['\u043e', '0', '\u03bf'],
  m: ['\uff4d', 'rn'],
  i: ['\u0456', '\u0131', '1'],
  l: ['I', '1', '\u04cf'],
  t: ['\u0442', '\u01ab'],
  g: ['\u0261'],
  n: ['\u0578'],
  r: ['\u0433'],
  x: ['\u0445'],
  b: ['\u0432'],
  p: ['\u0440'],
  '-': ['\u2010', '\u2011', '\u2212', '_', '\u00ad', '\u200b-'],
  '0': ['O', '\u043e', '\uff10'],
  '1': ['l', 'I', '\uff11'],
};

/** Text to carry where an identifier goes, and the tenant it names when it is well-formed. */
export interface Carried {
  readonly text: string;
  /** Set when `text` is exactly a (possibly unknown) identifier: it must resolve iff active. */
  readonly canonical?: string;
}

type Mutation = [kind: number, at: number, piece: string];
const mutate = (id: string, mutations: Mutation[]) =>
  mutations.reduce((s, [kind, at, piece]) => {
    const i = s.length ? at % s.length : 0;
    switch (kind % 7) {
      case 0:
        return (
          s.slice(0, i) + (HOMOGLYPHS[s[i]]?.[at % (HOMOGLYPHS[s[i]]?.length ?? 1)] ?? s[i] ?? '') + s.slice(i + 1)
        );
      case 1:
        return s.slice(0, i) + piece + s.slice(i);
      case 2:
        return s.slice(0, i) + (s[i] ?? '').toUpperCase() + s.slice(i + 1);
      case 3:
        return `${piece}${s}${piece}`;
      case 4:
        return percentEncoded(s);
      case 5:
        return `../${s}`;
      default:
        return s + s.slice(0, i);
    }
  }, id);

/** `acme` → `%61cme`: encoded text must fail validation, never be decoded past it. */
function percentEncoded(s: string): string {
  try {
    return encodeURIComponent(s).replace(/[a-z]/, (c) => `%${c.charCodeAt(0).toString(16)}`);
  } catch {
    return s; // a lone surrogate has no UTF-8 form
  }
}

export const identifier = fc.constantFrom(...KNOWN);
/** An identifier as is, mutated, arbitrary text, or overlong. */
export const carried: fc.Arbitrary<Carried> = fc
  .oneof(
    { weight: 3, arbitrary: identifier.map((id): Carried => ({ text: id, canonical: id })) },
    {
      weight: 5,
      arbitrary: fc
        .tuple(
          identifier,
          fc.array(fc.tuple(fc.nat(), fc.nat(), fc.constantFrom(...NASTY)), { minLength: 1, maxLength: 3 }),
        )
        .map(([id, m]) => ({ text: mutate(id, m) })),
    },
    { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 60 }).map((text) => ({ text })) },
    { weight: 1, arbitrary: fc.string({ unit: fc.constantFrom(...NASTY), maxLength: 20 }).map((text) => ({ text })) },
    {
      weight: 1,
      arbitrary: fc
        .tuple(identifier, fc.integer({ min: 200, max: 4000 }))
        .map(([id, n]) => ({ text: id + 'a'.repeat(n) })),
    },
  )
  .map((c: Carried) => (c.canonical === undefined && ACTIVE.includes(c.text) ? { ...c, canonical: c.text } : c));
