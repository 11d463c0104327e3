import assert from 'node:assert/strict';
import { maskUrl, Redactor } from '../../../src/pipeline/secrets';

describe('the redactor: secrets masked by value, shapes as a second net', () => {
  it('masks a registered value of any shape wherever it appears, also URL-encoded', () => {
    const r = new Redactor();
    const key = 'Zq8/xT1+pLmN0vB2cR4s';
    r.register(key);
    assert.equal(r.redact(`401: bad key ${key}; sent ${encodeURIComponent(key)}`), '401: bad key [redacted]; sent [redacted]');
  });

  it('ignores values too short to be keys, so a placeholder does not mask ordinary words', () => {
    const r = new Redactor();
    r.register('none');
    r.register('');
    r.register(undefined);
    assert.equal(r.redact('none of these'), 'none of these');
  });

  it('registers the credentials of a URL: user info and credential query parameters, not the host or path', () => {
    const r = new Redactor();
    r.registerUrl('https://alice:s3cretPassw0rd@gw.example/v1?api-version=2024-02&api-key=0123456789abcdefXYZ');
    assert.equal(r.redact('s3cretPassw0rd and 0123456789abcdefXYZ'), '[redacted] and [redacted]');
    assert.equal(r.redact('gw.example 2024-02'), 'gw.example 2024-02');
  });

  it('registers the values of variables that name secrets in the environment', () => {
    const r = new Redactor();
    r.registerEnvironment({ OPENAI_API_KEY: 'abcdefgh12345678', HF_TOKEN: 'qwertyuiop123456', HOME: '/home/someone-long-path', MY_VAR: 'zzzzzzzzzzzz' }, ['MY_VAR']);
    assert.equal(r.redact('abcdefgh12345678 qwertyuiop123456 /home/someone-long-path zzzzzzzzzzzz'), '[redacted] [redacted] /home/someone-long-path [redacted]');
  });

  it('the second net: key shapes the process never saw', () => {
    const r = new Redactor();
    const masked = r.redact(
      'sk-proj-abcdef123456 hf_abcdefghijKLMNOP12 AIzaSyA1234567890abcdefghijklmnop Bearer abc.def-12345 ' +
        'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0In0.c2lnbmF0dXJlXzEyMw api-key: 0123456789abcdef0123456789abcdef',
    );
    assert.equal(masked, 'sk-[redacted] hf_[redacted] AIza[redacted] Bearer [redacted] [redacted JWT] api-key: [redacted]');
  });

  it('leaves prose and hashes alone: "Bearer authentication", a bare MD5 sum, a commit id', () => {
    const r = new Redactor();
    const text = 'Bearer authentication sends a token. md5 d41d8cd98f00b204e9800998ecf8427e, commit 4b825dc642cb6eb9a060e54bf8d69288fbee4904';
    assert.equal(r.redact(text), text);
  });

  it('masks a JSON document without breaking it', () => {
    const r = new Redactor();
    r.register('k-9f8e7d6c5b4a3210');
    const json = JSON.stringify({ error: 'bad key k-9f8e7d6c5b4a3210', url: 'http://h/v1?key=AIzaXYZ' });
    assert.deepEqual(JSON.parse(r.redact(json)), { error: 'bad key [redacted]', url: 'http://h/v1?key=***' });
  });

  it('maskUrl shows a URL with its credentials masked', () => {
    assert.equal(maskUrl('http://bob:pw123456@127.0.0.1:9/v1?key=AIzaSecretSecret1234&x=1'), 'http://***@127.0.0.1:9/v1?key=***&x=1');
    assert.equal(maskUrl('http://127.0.0.1:11434/v1'), 'http://127.0.0.1:11434/v1');
    assert.equal(maskUrl('not a url ?token=abc12345'), 'not a url ?token=***');
  });
});
