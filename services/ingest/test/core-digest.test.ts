import { test } from 'node:test';
import assert from 'node:assert/strict';
import { digestAuthorization, parseDigestChallenge } from '../src/core/digest.ts';

test('the RFC 2617 example response is reproduced (MD5, qop=auth)', () => {
  const challenge = parseDigestChallenge('Digest realm="testrealm@host.com", qop="auth,auth-int", nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093", opaque="5ccc069c403ebaf9f0171e9517f40e41"');
  assert.ok(challenge !== undefined);
  const header = digestAuthorization(challenge, { username: 'Mufasa', password: 'Circle Of Life' }, 'GET', '/dir/index.html', 1, '0a4f113b');
  assert.match(header, /response="6629fae49393a05397450978507c4ef1"/);
  assert.match(header, /nc=00000001/);
  assert.match(header, /opaque="5ccc069c403ebaf9f0171e9517f40e41"/);
});

test('an Atlas challenge parses, stale flag included', () => {
  const fresh = parseDigestChallenge('Digest realm="MMS Public API", domain="", nonce="669gyxpgL6MGDuSZvQ80Spv3k+Jc99ed", algorithm=MD5, qop="auth", stale=false');
  assert.deepEqual(fresh, { realm: 'MMS Public API', nonce: '669gyxpgL6MGDuSZvQ80Spv3k+Jc99ed', qop: 'auth', opaque: undefined, algorithm: 'MD5', stale: false });
  assert.equal(parseDigestChallenge('Digest realm="x", nonce="n", stale=true')?.stale, true);
  assert.equal(parseDigestChallenge('Bearer realm="x"'), undefined);
  assert.equal(parseDigestChallenge(null), undefined);
});
