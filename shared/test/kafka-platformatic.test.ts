import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type AddressInfo } from 'node:net';
import { AppError } from '@atlas-audit/shared/errors';
import { createAdmin, createConsumer, createProducer } from '@atlas-audit/shared/kafka-platformatic';

/** A loopback port nothing listens on (bound, then released). */
async function deadPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}

const secret = 'never-print-this-password';

for (const [name, create] of [
  ['producer', (c: Parameters<typeof createProducer>[0]) => createProducer(c)],
  ['consumer', (c: Parameters<typeof createProducer>[0]) => createConsumer(c, 'g')],
  ['admin', (c: Parameters<typeof createProducer>[0]) => createAdmin(c)],
] as const) {
  test(`platformatic ${name}: no broker → a retryable KAFKA_UNAVAILABLE AppError that does not carry the SASL password`, { timeout: 60_000 }, async () => {
    const config = { brokers: [`127.0.0.1:${await deadPort()}`], clientId: 'unit', ssl: false, sasl: { mechanism: 'plain' as const, username: 'u', password: secret } };
    const err = await create(config).then(
      () => undefined,
      (e: unknown) => e,
    );
    assert.ok(err instanceof AppError, `expected an AppError, got ${String(err)}`);
    assert.equal(err.code, 'KAFKA_UNAVAILABLE');
    assert.equal(err.retryable, true);
    assert.ok(!err.message.includes(secret));
    assert.ok(!JSON.stringify({ message: err.message, details: (err as { details?: unknown }).details }).includes(secret));
  });
}
