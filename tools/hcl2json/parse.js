// Parses every HCL file named on the command line with HashiCorp's HCL2 parser and prints one JSON object
// {"<file>": <parsed>} on stdout. A syntax error exits 1 naming the file, so the Java test can report it.
'use strict';
const fs = require('fs');
const { parse } = require('@cdktf/hcl2json');

async function main(files) {
  const out = {};
  for (const file of files) {
    try {
      out[file] = await parse(file, fs.readFileSync(file, 'utf8'));
    } catch (e) {
      process.stderr.write(`${file}: ${e && e.message ? e.message : e}\n`);
      process.exit(1);
    }
  }
  process.stdout.write(JSON.stringify(out));
}

main(process.argv.slice(2));
