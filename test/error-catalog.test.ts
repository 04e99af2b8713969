import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { errorCatalog, errorCodes } from '../src/errors.js';
import { readOpenApiDocument } from '../src/contract/schema-files.js';

function tableRows(file = '../docs/error-codes.md'): Map<string, { status: number; retryable: boolean; fallback: boolean }> {
  const readme = readFileSync(new URL(file, import.meta.url), 'utf8');
  const section = readme.split('<!-- error-codes:start -->')[1]?.split('<!-- error-codes:end -->')[0] ?? '';
  const rows = new Map<string, { status: number; retryable: boolean; fallback: boolean }>();
  for (const line of section.split('\n')) {
    const match = /^\| `([a-z_]+)` \| (\d{3}) \| (yes|no) \| (yes|no) \|/.exec(line);
    if (match?.[1] !== undefined) rows.set(match[1], { status: Number(match[2]), retryable: match[3] === 'yes', fallback: match[4] === 'yes' });
  }
  return rows;
}

describe('the error catalog, the OpenAPI spec and docs/error-codes.md agree', () => {
  it('the OpenAPI ErrorCode enum lists exactly the catalog codes', () => {
    const document = readOpenApiDocument() as unknown as { components: { schemas: { ErrorCode: { enum: string[] } } } };
    expect([...document.components.schemas.ErrorCode.enum].sort()).to.deep.equal([...errorCodes].sort());
  });

  it('docs/error-codes.md lists every code with its status and retryability, and nothing stale', () => {
    const rows = tableRows();
    expect([...rows.keys()].sort()).to.deep.equal([...errorCodes].sort());
    for (const code of errorCodes) {
      const { status, retryable, fallback } = errorCatalog[code];
      expect(rows.get(code), code).to.deep.equal({ status, retryable, fallback });
    }
  });

  it('the README links the table instead of repeating it', () => {
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
    expect(readme).to.include('(docs/error-codes.md)');
    expect(tableRows('../README.md').size).to.equal(0);
  });

  it('every OpenAPI error type is one the catalog uses', () => {
    const document = readOpenApiDocument() as unknown as {
      components: { schemas: { ErrorResponse: { properties: { error: { properties: { type: { enum: string[] } } } } } } };
    };
    const types = document.components.schemas.ErrorResponse.properties.error.properties.type.enum;
    for (const spec of Object.values(errorCatalog)) expect(types).to.include(spec.type);
  });
});
