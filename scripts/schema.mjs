// npm run schema: regenerates phpleak.schema.json and the precompiled validator from the built
// rules (cli/schema.ts).
import { writeFileSync } from 'node:fs';
import { publishedSchemaText, validatorModuleText } from '../dist/cli/schema.js';
import registry from '../dist/rules/index.js';

writeFileSync(new URL('../phpleak.schema.json', import.meta.url), publishedSchemaText(registry));
writeFileSync(new URL('../engine/config-validate.gen.ts', import.meta.url), validatorModuleText(registry));
console.log('wrote phpleak.schema.json and engine/config-validate.gen.ts');
