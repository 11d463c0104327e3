import assert from 'node:assert/strict';
import { keySource } from '../../../src/host/api-keys';

describe('"Set API Key" says where each endpoint\'s key comes from', () => {
  it('names the environment variable an apiKeyEnv endpoint reads, instead of "no key stored"', () => {
    const env = { OPENAI_API_KEY: 'sk-test', EMPTY: '' };
    assert.equal(keySource({ apiKeyEnv: 'OPENAI_API_KEY' }, false, env), 'key from $OPENAI_API_KEY');
    assert.equal(keySource({ apiKeyEnv: 'EMPTY' }, false, env), 'no key stored, and $EMPTY is not set');
    assert.equal(keySource({}, false, env), 'no key stored');
    assert.equal(keySource({ apiKeyEnv: 'OPENAI_API_KEY' }, true, env), 'a key is stored (used before any environment variable)');
    // The key itself never appears.
    assert.doesNotMatch(keySource({ apiKeyEnv: 'OPENAI_API_KEY' }, false, env), /sk-test/);
  });
});
