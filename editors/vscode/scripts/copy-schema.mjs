// The extension validates phpleak.json with the schema the phpleak package ships (repository root).
import { copyFileSync, existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const from = join(here, '..', '..', '..', 'phpleak.schema.json');
const to = join(here, '..', 'phpleak.schema.json');
if (existsSync(from)) copyFileSync(from, to);
else if (!existsSync(to)) {
  process.stderr.write(`copy-schema: ${from} not found\n`);
  process.exit(1);
}
