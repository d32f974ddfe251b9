package foldstream.ops.bench;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What the {@code FAILOVER} part measures: {@code kills} workers killed one after another under
 * {@code rate} commands/s, once per setting.
 *
 * <pre>{@code
 * new FailoverSettings(3, 300, List.of(FailoverSettings.Setting.DEFAULTS, FailoverSettings.Setting.FAST))
 * }</pre>
 *
 * @param kills workers killed (and restarted) per setting (default 3)
 * @param rate commands per second offered throughout (default 300)
 * @param settings what is compared, each on a broker of its own (default {@link #DEFAULT_SETTINGS})
 */
public record FailoverSettings(int kills, int rate, List<Setting> settings) {

    /** Foldstream's defaults on a broker with Kafka's defaults, then {@link Setting#FAST}. */
    public static final List<Setting> DEFAULT_SETTINGS = List.of(Setting.DEFAULTS, Setting.FAST);

    public static final FailoverSettings DEFAULTS = new FailoverSettings(3, 300, DEFAULT_SETTINGS);

    public FailoverSettings {
        if (kills < 1 || rate < 1 || settings.isEmpty()) {
            throw new IllegalArgumentException("--failover-kills and --failover-rate must be positive, and one setting at least");
        }
        settings = List.copyOf(settings);
    }

    /**
     * Worker properties (Kafka Streams settings, as {@code --property} takes them) and broker
     * properties (what an operator sets in {@code server.properties}) measured together.
     */
    public record Setting(String name, Map<String, String> worker, Map<String, String> broker) {

        /** Foldstream's own defaults on a broker with Kafka's default limits. */
        public static final Setting DEFAULTS = new Setting("Foldstream's defaults", Map.of(), Map.of());

        /**
         * Under 5 s where the operator may lower the broker's limits: a 2 s session, heartbeats every
         * 0.5 s, transactions that time out after 2 s, and a broker that looks for timed-out
         * transactions every 0.5 s rather than every 10 s.
         */
        public static final Setting FAST = new Setting("fast (broker limits lowered)",
                Map.of("session.timeout.ms", "2000", "heartbeat.interval.ms", "500", "producer.transaction.timeout.ms", "2000"),
                Map.of("group.min.session.timeout.ms", "1000", "transaction.abort.timed.out.transaction.cleanup.interval.ms", "500"));

        public Setting {
            worker = Map.copyOf(worker);
            broker = Map.copyOf(broker);
        }

        /**
         * A setting from {@code KEY=VALUE,...}: keys starting with {@code broker.} go to the broker
         * (without the prefix), the others to the workers. Example:
         * {@code session.timeout.ms=3000,broker.group.min.session.timeout.ms=1000}.
         */
        public static Setting parse(String spec) {
            Map<String, String> worker = new LinkedHashMap<>();
            Map<String, String> broker = new LinkedHashMap<>();
            for (String pair : spec.split(",")) {
                int eq = pair.indexOf('=');
                if (eq < 1) {
                    throw new IllegalArgumentException("--failover-with takes KEY=VALUE,...: not " + pair);
                }
                String key = pair.substring(0, eq).trim();
                String value = pair.substring(eq + 1).trim();
                if (key.startsWith("broker.")) {
                    broker.put(key.substring("broker.".length()), value);
                } else {
                    worker.put(key, value);
                }
            }
            return new Setting(spec, worker, broker);
        }

        /** How the setting reads in the table. */
        String describe() {
            if (worker.isEmpty() && broker.isEmpty()) {
                return name;
            }
            return name + ": workers " + new java.util.TreeMap<>(worker) + (broker.isEmpty() ? "" : ", broker " + new java.util.TreeMap<>(broker));
        }
    }
}
