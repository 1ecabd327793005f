// npm run schema: regenerates phpleak.schema.json from the built rules (cli/schema.ts).
import { writeFileSync } from 'node:fs';
import { publishedSchemaText } from '../dist/cli/schema.js';
import registry from '../dist/rules/index.js';

writeFileSync(new URL('../phpleak.schema.json', import.meta.url), publishedSchemaText(registry));
console.log('wrote phpleak.schema.json');
