// Round-trip check of the local Kafka broker, run by `scripts/stack.sh smoke` with the
// broker's own jars on the classpath (java single-file source launch, no build step).
// Creates a uniquely named topic, produces three records, reads them back through a
// consumer group (which needs __consumer_offsets, i.e. the replication-factor-1 settings),
// commits, deletes the topic, and exits non-zero on any mismatch or after its deadline.
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

public class KafkaSmoke {
  public static void main(String[] args) throws Exception {
    String brokers = args.length > 0 ? args[0] : "127.0.0.1:9092";
    String topic = "stack-smoke-" + Long.toHexString(System.nanoTime());
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);

    Properties common = new Properties();
    common.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, brokers);

    try (Admin admin = Admin.create(common)) {
      String clusterId = admin.describeCluster().clusterId().get(30, TimeUnit.SECONDS);
      admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all().get(30, TimeUnit.SECONDS);
      System.out.println("kafka: cluster " + clusterId + ", created topic " + topic);

      Properties p = new Properties();
      p.putAll(common);
      p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
      p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
      p.put(ProducerConfig.ACKS_CONFIG, "all");
      List<String> sent = List.of("one", "two", "three");
      try (KafkaProducer<String, String> producer = new KafkaProducer<>(p)) {
        for (String v : sent) {
          producer.send(new ProducerRecord<>(topic, v, v)).get(30, TimeUnit.SECONDS);
        }
      }

      Properties c = new Properties();
      c.putAll(common);
      c.put(ConsumerConfig.GROUP_ID_CONFIG, topic + "-group");
      c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
      c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
      c.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
      c.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
      List<String> got = new ArrayList<>();
      try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(c)) {
        consumer.subscribe(List.of(topic));
        while (got.size() < sent.size() && System.nanoTime() < deadline) {
          for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(500))) {
            got.add(r.value());
          }
        }
        consumer.commitSync(Duration.ofSeconds(30));
      }
      admin.deleteTopics(Set.of(topic)).all().get(30, TimeUnit.SECONDS);

      if (!got.equals(sent)) {
        System.err.println("kafka: FAILED, sent " + sent + " but consumed " + got);
        System.exit(1);
      }
      System.out.println("kafka: produced and consumed " + got + " via group " + topic + "-group; topic deleted");
    }
  }
}
