#!/usr/bin/env node
// pvt launcher: refuses Node versions below 22.12 with a clear message, then starts the CLI from dist/.
const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 22 || (major === 22 && minor < 12)) {
  process.stderr.write(
    `pvt: Node.js ${process.versions.node} is too old; pvt needs Node.js 22.12 or newer (24 LTS recommended).\n`,
  );
  process.exit(1);
}
await import('../dist/cli/main.js');
