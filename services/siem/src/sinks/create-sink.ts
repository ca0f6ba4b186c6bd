import type { BusProducer } from '@atlas-audit/shared/kafka';
import type { SinkConfig } from '../config.ts';
import { createHecSink } from './hec.ts';
import { createKafkaSink } from './kafka-sink.ts';
import type { Identity, Sink } from './sink.ts';
import { createSyslogSink } from './syslog.ts';
import { createWebhookSink } from './webhook.ts';

/** Builds the sink a config entry describes; `producer` serves Kafka sinks. */
export function createSink(config: SinkConfig, identity: Identity, producer: BusProducer): Sink {
  switch (config.type) {
    case 'webhook':
      return createWebhookSink(config, identity);
    case 'syslog':
      return createSyslogSink(config, identity);
    case 'hec':
      return createHecSink(config, identity);
    case 'kafka':
      return createKafkaSink(config, identity, producer);
  }
}
