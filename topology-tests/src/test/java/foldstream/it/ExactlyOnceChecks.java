package foldstream.it;

import foldstream.protocol.CommandResult;
import foldstream.protocol.Outcome;
import foldstream.worker.runtime.ContractHeaders;
import foldstream.worker.serialization.AvroWireCodec;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * What exactly-once processing promises, checked on the committed contents of {@code S-results} and
 * {@code S-events} after a load: one result per command, each aggregate's events numbered 1, 2, 3, ...
 * with no gap and no repeat, every accepted command's events there (and no event without one). Each
 * check collects every problem and fails with the first ones and their count.
 *
 * <pre>{@code
 * ExactlyOnceChecks checks = ExactlyOnceChecks.of(codec, resultRecords, eventRecords, id -> id.startsWith(run));
 * checks.assertOneResultPerCommand(sentIds);
 * checks.assertEventsContiguousAndUnique();
 * checks.assertEventsAreThoseOfAcceptedResults();
 * }</pre>
 */
final class ExactlyOnceChecks {

    private final Map<String, List<CommandResult>> resultsByCommand;
    private final Map<String, List<ConsumerRecord<byte[], byte[]>>> eventsByAggregate;

    private ExactlyOnceChecks(Map<String, List<CommandResult>> resultsByCommand,
                              Map<String, List<ConsumerRecord<byte[], byte[]>>> eventsByAggregate) {
        this.resultsByCommand = resultsByCommand;
        this.eventsByAggregate = eventsByAggregate;
    }

    /**
     * @param ours which aggregate ids belong to the test (results and events of others are left out)
     */
    static ExactlyOnceChecks of(AvroWireCodec codec, List<ConsumerRecord<byte[], byte[]>> results,
                                List<ConsumerRecord<byte[], byte[]>> events, Predicate<String> ours) {
        Map<String, List<CommandResult>> byCommand = new HashMap<>();
        for (ConsumerRecord<byte[], byte[]> record : results) {
            if (ours.test(key(record))) {
                CommandResult result = codec.decode(record.value(), CommandResult.class);
                byCommand.computeIfAbsent(result.getCommandId(), id -> new ArrayList<>()).add(result);
            }
        }
        Map<String, List<ConsumerRecord<byte[], byte[]>>> byAggregate = new TreeMap<>();
        for (ConsumerRecord<byte[], byte[]> record : events) {
            if (ours.test(key(record))) {
                byAggregate.computeIfAbsent(key(record), id -> new ArrayList<>()).add(record);
            }
        }
        return new ExactlyOnceChecks(byCommand, byAggregate);
    }

    static String key(ConsumerRecord<byte[], byte[]> record) {
        return record.key() == null ? "" : new String(record.key(), StandardCharsets.UTF_8);
    }

    static String header(ConsumerRecord<byte[], byte[]> record, String name) {
        return ContractHeaders.text(record.headers(), name);
    }

    static long version(ConsumerRecord<byte[], byte[]> event) {
        return Long.parseLong(header(event, ContractHeaders.AGGREGATE_VERSION));
    }

    Map<String, List<CommandResult>> resultsByCommand() {
        return resultsByCommand;
    }

    /** Each aggregate's events in the order of the event store (offset order: one aggregate lives in one partition). */
    Map<String, List<ConsumerRecord<byte[], byte[]>>> eventsByAggregate() {
        return eventsByAggregate;
    }

    /** The one result of a command. */
    CommandResult result(String commandId) {
        return resultsByCommand.get(commandId).get(0);
    }

    /** Every command sent has exactly one result, and there is no result for a command not sent. */
    void assertOneResultPerCommand(Collection<String> sent) {
        assertOneResultPerSend(sent);
    }

    /**
     * Every send of a command has one result, and a command sent again (its id appears more than once)
     * gets its first result again, identical; there is no result for a command not sent.
     */
    void assertOneResultPerSend(Collection<String> sends) {
        List<String> problems = new ArrayList<>();
        Map<String, Integer> sendsPerId = new LinkedHashMap<>();
        sends.forEach(id -> sendsPerId.merge(id, 1, Integer::sum));
        sendsPerId.forEach((id, times) -> {
            List<CommandResult> results = resultsByCommand.getOrDefault(id, List.of());
            if (results.size() != times) {
                problems.add("command " + id + " has " + results.size() + " results for " + times + " sends"
                        + (results.size() > 1 ? ": " + results : ""));
            } else if (results.stream().anyMatch(r -> !r.equals(results.get(0)))) {
                problems.add("command " + id + " sent " + times + " times got different results: " + results);
            }
        });
        for (String id : resultsByCommand.keySet()) {
            if (!sendsPerId.containsKey(id)) {
                problems.add("a result for command " + id + ", which was never sent");
            }
        }
        fail("one result per send (" + sends.size() + " sends of " + sendsPerId.size() + " commands)", problems);
    }

    /** Per aggregate, versions run 1, 2, 3, ... in the event store, with no gap or repeat; event ids are unique across all events. */
    void assertEventsContiguousAndUnique() {
        List<String> problems = new ArrayList<>();
        Map<String, String> eventIds = new HashMap<>();
        eventsByAggregate.forEach((aggregate, events) -> {
            long expected = 1;
            for (ConsumerRecord<byte[], byte[]> event : events) {
                long version = version(event);
                if (version != expected) {
                    problems.add(aggregate + ": version " + version + " at " + where(event) + " where " + expected + " was expected");
                }
                expected = version + 1;
                String eventId = header(event, ContractHeaders.EVENT_ID);
                String earlier = eventIds.put(eventId, where(event));
                if (earlier != null) {
                    problems.add(aggregate + ": event id " + eventId + " at " + where(event) + " was already used at " + earlier);
                }
            }
        });
        fail("contiguous versions and unique event ids (" + eventsByAggregate.size() + " aggregates)", problems);
    }

    /**
     * An ACCEPTED result with version v and n events has exactly the events of versions v-n+1..v, caused by its
     * command; a result that wrote nothing has none; and every event belongs to an accepted command.
     */
    void assertEventsAreThoseOfAcceptedResults() {
        List<String> problems = new ArrayList<>();
        Map<String, Map<Long, ConsumerRecord<byte[], byte[]>>> byVersion = new HashMap<>();
        Map<String, List<ConsumerRecord<byte[], byte[]>>> byCommand = new HashMap<>();
        eventsByAggregate.forEach((aggregate, events) -> {
            Map<Long, ConsumerRecord<byte[], byte[]>> versions = byVersion.computeIfAbsent(aggregate, a -> new HashMap<>());
            for (ConsumerRecord<byte[], byte[]> event : events) {
                versions.put(version(event), event);
                byCommand.computeIfAbsent(header(event, ContractHeaders.CAUSATION_ID), c -> new ArrayList<>()).add(event);
            }
        });
        for (List<CommandResult> results : resultsByCommand.values()) {
            CommandResult result = results.get(0);
            String command = result.getCommandId();
            List<ConsumerRecord<byte[], byte[]>> caused = byCommand.getOrDefault(command, List.of());
            if (result.getOutcome() != Outcome.ACCEPTED) {
                if (!caused.isEmpty() || result.getEventCount() != 0) {
                    problems.add(command + " is " + result.getOutcome() + " with eventCount " + result.getEventCount()
                            + " but caused " + caused.size() + " events");
                }
                continue;
            }
            if (caused.size() != result.getEventCount()) {
                problems.add(command + " is ACCEPTED with " + result.getEventCount() + " events but caused " + caused.size());
            }
            Map<Long, ConsumerRecord<byte[], byte[]>> versions = byVersion.getOrDefault(result.getAggregateId(), Map.of());
            for (long v = result.getVersion() - result.getEventCount() + 1; v <= result.getVersion(); v++) {
                ConsumerRecord<byte[], byte[]> event = versions.get(v);
                if (event == null) {
                    problems.add(command + " (" + result.getAggregateId() + " to version " + result.getVersion()
                            + "): event of version " + v + " is missing");
                } else if (!command.equals(header(event, ContractHeaders.CAUSATION_ID))) {
                    problems.add(command + ": event of version " + v + " of " + result.getAggregateId() + " at " + where(event)
                            + " was caused by " + header(event, ContractHeaders.CAUSATION_ID));
                }
            }
        }
        Set<String> accepted = new HashSet<>();
        resultsByCommand.forEach((id, results) -> {
            if (results.get(0).getOutcome() == Outcome.ACCEPTED) {
                accepted.add(id);
            }
        });
        byCommand.forEach((command, events) -> {
            if (!accepted.contains(command)) {
                problems.add(events.size() + " events caused by " + command + ", which has no ACCEPTED result, first at "
                        + where(events.get(0)));
            }
        });
        fail("events of accepted results", problems);
    }

    /** How many results of each outcome: to see that a load exercised more than one path. */
    Map<Outcome, Integer> outcomes() {
        Map<Outcome, Integer> counts = new LinkedHashMap<>();
        resultsByCommand.values().forEach(results -> counts.merge(results.get(0).getOutcome(), 1, Integer::sum));
        return counts;
    }

    static String where(ConsumerRecord<?, ?> record) {
        return record.topic() + "/" + record.partition() + "/" + record.offset();
    }

    private static void fail(String what, List<String> problems) {
        if (!problems.isEmpty()) {
            throw new AssertionError(what + ": " + problems.size() + " problems, the first ones:\n  "
                    + String.join("\n  ", problems.subList(0, Math.min(25, problems.size()))));
        }
    }
}
