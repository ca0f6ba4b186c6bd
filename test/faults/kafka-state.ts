import { Admin, FetchIsolationLevels } from '@platformatic/kafka';

/**
 * Where a topic's records stand, per partition, for a fault test's failure message: the high
 * watermark (what is written), the last stable offset (what a read_committed consumer may read:
 * it stops at the first still-open transaction) and the group's committed offset (what the
 * consumer settled). LSO < HWM for long means a transaction is left open on that partition; a
 * committed offset below the LSO means the consumer, not the producer, stands still.
 */
export type PartitionState = { partition: number; hwm: string; lso: string; committed: string };

export async function topicState(brokers: readonly string[], topic: string, groupId: string): Promise<PartitionState[]> {
  const admin = new Admin({ clientId: 'faults-kafka-state', bootstrapBrokers: [...brokers] });
  try {
    const metadata = await admin.metadata({ topics: [topic] });
    const partitions = [...(metadata.topics.get(topic)?.partitions ?? [])].map((_, i) => i);
    const listed = async (isolationLevel: (typeof FetchIsolationLevels)[keyof typeof FetchIsolationLevels]): Promise<Map<number, bigint>> => {
      const topics = await admin.listOffsets({ topics: [{ name: topic, partitions: partitions.map((partitionIndex) => ({ partitionIndex, timestamp: -1n })) }], isolationLevel });
      return new Map((topics[0]?.partitions ?? []).map((p) => [p.partitionIndex, p.offset]));
    };
    const [hwm, lso] = [await listed(FetchIsolationLevels.READ_UNCOMMITTED), await listed(FetchIsolationLevels.READ_COMMITTED)];
    const committed = new Map<number, bigint>();
    for (const g of await admin.listConsumerGroupOffsets({ groups: [groupId] })) for (const t of g.topics) if (t.name === topic) for (const p of t.partitions) committed.set(p.partitionIndex, p.committedOffset);
    return partitions.map((partition) => ({ partition, hwm: String(hwm.get(partition) ?? '?'), lso: String(lso.get(partition) ?? '?'), committed: String(committed.get(partition) ?? '?') }));
  } finally {
    await admin.close().catch(() => undefined);
  }
}
