import type { z } from 'zod';
import type { BusProducer } from '@atlas-audit/shared/kafka';
import type { kafkaSinkSchema } from '../config.ts';
import { toOcsfDetectionFinding } from '../core/ocsf.ts';
import type { AlertItem, Identity, Sink } from './sink.ts';

/** Kafka topic sink: one record per alert, key = alert id, value = the alert JSON or an OCSF finding; acks=all. */
export function createKafkaSink(config: z.output<typeof kafkaSinkSchema>, identity: Identity, producer: BusProducer): Sink {
  const product = { name: identity.device.product, vendor: identity.device.vendor, version: identity.device.version };
  return {
    name: config.name,
    type: 'kafka',
    async deliver(items: readonly AlertItem[]) {
      await producer.send(
        config.topic,
        items.map((i) => ({
          key: i.alert.event.id,
          value: config.format === 'ocsf' ? JSON.stringify(toOcsfDetectionFinding(i.alert, product)) : i.raw,
          headers: { 'alert-id': i.alert.event.id, format: config.format },
        })),
      );
    },
    close: async () => {},
  };
}
