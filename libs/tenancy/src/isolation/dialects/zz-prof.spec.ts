import fc from 'fast-check';
import { ddlFor } from '.';
const NASTY = ['"', '`', '[', ']', "'", ';', ' ', '.', '..', '\0', '\u0430', 'A', '-', '_', 'a', 'z', '0', '9', '\n', 'é', '$', '/', '\\', '--', '\u202e', "N'", '{', '}'];
const anyText = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 140 }),
  fc.string({ unit: fc.constantFrom(...NASTY), maxLength: 70 }),
  fc.stringMatching(/^[a-z_][a-z0-9_]{0,130}$/),
  fc.stringMatching(/^[a-z][a-z0-9-]{0,70}$/),
);
it('gen', () => { let t=Date.now(); fc.assert(fc.property(anyText, () => {}), {numRuns:10000}); console.log('gen', Date.now()-t);
 t=Date.now(); fc.assert(fc.property(anyText, (s) => { for (const b of ['createNamespace','dropNamespace','createDatabase','dropDatabase'] as const) { try { ddlFor('postgres')[b](s);} catch {} } }), {numRuns:10000}); console.log('ddl', Date.now()-t);
 t=Date.now(); fc.assert(fc.property(anyText, (s) => { for (let i=0;i<6;i++) expect(1).toBe(1); }), {numRuns:10000}); console.log('expect', Date.now()-t);
});
