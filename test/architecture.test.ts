import { expect } from 'chai';
import { checkArchitecture } from '../scripts/check-architecture.js';

describe('architecture', () => {
  it('has no import cycle, no upward import, no file over 300 lines and no function over 80', () => {
    expect(checkArchitecture()).to.deep.equal([]);
  });
});
