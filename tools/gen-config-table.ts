// Prints the README configuration table from the option specs, defaults and JSDoc:
//   node -r ./tools/register.js tools/gen-config-table.ts
import { renderConfigTable } from '../test/docs/config-table';

process.stdout.write(renderConfigTable() + '\n');
