// npm semver oracle: the `semver` package (strict mode, as npm uses it).
// Usage: node semver.js NODE_MODULES_DIR
// Protocol (see tests/common/mod.rs): `v\tVERSION` -> 1/0, `c\tA\tB` -> -1/0/1/E.
const path = require('path');
const semver = require(path.join(process.argv[2], 'semver'));
const input = require('fs').readFileSync(0, 'utf8');
const out = [];
for (const line of input.split('\n')) {
  if (line === '') continue;
  const parts = line.split('\t');
  if (parts[0] === 'v') {
    out.push(semver.valid(parts[1]) === null ? '0' : '1');
  } else if (semver.valid(parts[1]) === null || semver.valid(parts[2]) === null) {
    out.push('E');
  } else {
    out.push(String(semver.compare(parts[1], parts[2])));
  }
}
process.stdout.write(out.join('\n') + (out.length ? '\n' : ''));
