package foldstream.worker.projection.runtime;

import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.kafka.common.TopicPartition;

/**
 * When a generation being built has caught up with the one serving, so readers may switch to it.
 * Checked again and again (every {@link GenerationFollower#POLL} or so) with offsets read fresh each
 * time; pure, so it is tested without a broker.
 *
 * <p>The rule: the new generation's committed offsets on every input partition ({@code S-events})
 * are at or past the serving generation's committed offsets read at the time of that check: it has
 * read every event the old one had (the old one may be at most its commit interval ahead in what it
 * answers, since queries read its stores between commits). A projection keyed otherwise has a second
 * hop, its repartition topic: everything the new generation's router sent on before that check is
 * below the repartition topic's end offsets read at that check, so the switch waits until the new
 * generation's committed offsets there reach those ends too. Under steady traffic both targets are
 * fixed, so the switch comes; "lag 0" would never come under load.
 *
 * <pre>{@code
 * SwitchCondition condition = new SwitchCondition();
 * if (condition.check(offsets) instanceof SwitchCondition.Decision.Switch) { ... serve the new generation ... }
 * }</pre>
 */
final class SwitchCondition {

    /** Offsets read at one check; a partition missing from a map has nothing committed there (offset 0). */
    record Offsets(Set<TopicPartition> inputs, Map<TopicPartition, Long> servingCommitted, Map<TopicPartition, Long> buildingCommitted,
                   Map<TopicPartition, Long> repartitionCommitted, Map<TopicPartition, Long> repartitionEnds) {

        Offsets {
            inputs = Set.copyOf(inputs);
            servingCommitted = Map.copyOf(servingCommitted);
            buildingCommitted = Map.copyOf(buildingCommitted);
            repartitionCommitted = Map.copyOf(repartitionCommitted);
            repartitionEnds = Map.copyOf(repartitionEnds);
        }
    }

    /** What one check decided. */
    sealed interface Decision {

        /** The new generation has caught up: switch readers to it. */
        record Switch() implements Decision {
        }

        /**
         * Not yet.
         *
         * @param behind events of the input the new generation has not read that the serving one has
         * @param secondHop repartitioned records it has still to apply before the switch (0 when it has no second hop)
         */
        record Wait(long behind, long secondHop) implements Decision {
        }
    }

    private Optional<Map<TopicPartition, Long>> target = Optional.empty();

    Decision check(Offsets offsets) {
        long behind = 0;
        for (TopicPartition input : offsets.inputs()) {
            behind += Math.max(0, offsets.servingCommitted().getOrDefault(input, 0L) - offsets.buildingCommitted().getOrDefault(input, 0L));
        }
        if (target.isEmpty() && behind == 0) {
            // Caught up on the input: fix the second hop's target now, before newer records move its end.
            target = Optional.of(Map.copyOf(offsets.repartitionEnds()));
        }
        if (target.isEmpty()) {
            return new Decision.Wait(behind, 0);
        }
        long secondHop = 0;
        for (Map.Entry<TopicPartition, Long> end : target.get().entrySet()) {
            secondHop += Math.max(0, end.getValue() - offsets.repartitionCommitted().getOrDefault(end.getKey(), 0L));
        }
        return secondHop == 0 ? new Decision.Switch() : new Decision.Wait(behind, secondHop);
    }
}
