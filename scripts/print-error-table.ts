// Prints the error table of docs/error-codes.md from the catalog: `npx tsx scripts/print-error-table.ts`.
import { errorCatalog, errorCodes } from '../src/errors.js';

const yesNo = (value: boolean) => (value ? 'yes' : 'no');
console.log('| Code | HTTP | Retryable | Fallback | Meaning |');
console.log('| --- | --- | --- | --- | --- |');
for (const code of errorCodes) {
  const spec = errorCatalog[code];
  console.log(`| \`${code}\` | ${spec.status} | ${yesNo(spec.retryable)} | ${yesNo(spec.fallback)} | ${spec.description} |`);
}
