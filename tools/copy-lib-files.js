// Copies the library's package.json, README and CHANGELOG next to its compiled output, so
// `npm pack ./dist/libs/tenancy` produces the publishable package.
const fs = require('node:fs');
const path = require('node:path');
const root = path.join(__dirname, '..');
const out = path.join(root, 'dist', 'libs', 'tenancy');
fs.mkdirSync(out, { recursive: true });
fs.copyFileSync(path.join(root, 'libs', 'tenancy', 'package.json'), path.join(out, 'package.json'));
for (const file of ['README.md', 'CHANGELOG.md']) {
  if (fs.existsSync(path.join(root, file))) fs.copyFileSync(path.join(root, file), path.join(out, file));
}
