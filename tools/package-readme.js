// The npm package's README, made from the repository's README.md: what a user of the package needs
// (install, quick start, every feature, options), without the monorepo's parts (the two commands,
// the sample app, the bench, development) or links into the repository's files.
const OMITTED_SECTIONS = new Set(['Two commands', 'The sample app', 'Performance', 'Development']);
// Paragraphs about the monorepo itself (its scripts and bench results) are left out.
const MONOREPO = /npm ci|npm start|npm run (?!cli)|bench\/|\(#performance\)/;

/** @param {string} markdown the repository README @returns {string} the package README */
function packageReadme(markdown) {
  const sections = markdown.split(/^(?=## )/m);
  const kept = sections.filter((section) => {
    const title = /^## (.*)$/m.exec(section);
    return !title || section.indexOf('## ') !== 0 || !OMITTED_SECTIONS.has(title[1].trim());
  });
  const text = kept
    .join('')
    .split(/\n{2,}/)
    .filter((paragraph) => paragraph.startsWith('```') || !MONOREPO.test(paragraph))
    .join('\n\n')
    .replaceAll('npm run cli -- ', 'node dist/cli.js ')
    .replaceAll('`npm run cli -- ...`', '`node dist/cli.js ...`');
  return (
    text.trimEnd() +
    '\n\n---\n\nThe source repository holds the sample app, the benchmarks and their results, and the ' +
    'development guide (its README.md).\n'
  );
}

module.exports = { packageReadme };
