// Copies the library's package.json, README and CHANGELOG next to its compiled output, so
// `npm pack ./dist/libs/tenancy` produces the publishable package.
const fs = require('node:fs');
const path = require('node:path');
const root = path.join(__dirname, '..');
const out = path.join(root, 'dist', 'libs', 'tenancy');
fs.mkdirSync(out, { recursive: true });
fs.copyFileSync(path.join(root, 'libs', 'tenancy', 'package.json'), path.join(out, 'package.json'));
const { packageReadme } = require('./package-readme');
// The package's own README (install, quick start, options), not the monorepo's.
fs.writeFileSync(path.join(out, 'README.md'), packageReadme(fs.readFileSync(path.join(root, 'README.md'), 'utf8')));
fs.copyFileSync(path.join(root, 'CHANGELOG.md'), path.join(out, 'CHANGELOG.md'));
