import { expect } from 'chai';
import { isInputObjectType, isObjectType, isSpecifiedScalarType } from 'graphql';
import { createGraphqlSchema } from '../../src/graphql/schema.js';

describe('the GraphQL schema documents itself', () => {
  it('has a description on every type and every field', () => {
    const schema = createGraphqlSchema();
    const missing: string[] = [];
    for (const type of Object.values(schema.getTypeMap())) {
      if (type.name.startsWith('__') || isSpecifiedScalarType(type)) continue;
      const isRoot = ['Query', 'Mutation', 'Subscription'].includes(type.name);
      if (!isRoot && !type.description) missing.push(type.name);
      if (isObjectType(type) || isInputObjectType(type)) {
        for (const field of Object.values(type.getFields())) if (!field.description) missing.push(`${type.name}.${field.name}`);
      }
    }
    expect(missing).to.deep.equal([]);
  });
});
