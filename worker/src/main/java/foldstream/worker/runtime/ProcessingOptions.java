package foldstream.worker.runtime;

import java.time.Duration;
import java.util.Objects;

/**
 * Knobs of command processing, with the defaults a user gets when saying nothing.
 *
 * @param commandIdRetention how long an answered command id is remembered: a duplicate within it
 *     gets the first result again and writes nothing (default 7 days)
 * @param hotAggregates how many deserialized aggregates each task keeps in memory (default 10,000;
 *     0 turns the cache off)
 * @param hotAggregateIdleTtl how long an aggregate stays in memory unused (default 10 minutes)
 * @param limits what one command record may carry ({@link CommandLimits#DEFAULTS}); a worker's
 *     {@code foldstream.limits.*} properties override them
 */
public record ProcessingOptions(Duration commandIdRetention, int hotAggregates, Duration hotAggregateIdleTtl,
                                CommandLimits limits) {

    public static final ProcessingOptions DEFAULTS =
            new ProcessingOptions(Duration.ofDays(7), 10_000, Duration.ofMinutes(10), CommandLimits.DEFAULTS);

    /** With the default {@link CommandLimits}. */
    public ProcessingOptions(Duration commandIdRetention, int hotAggregates, Duration hotAggregateIdleTtl) {
        this(commandIdRetention, hotAggregates, hotAggregateIdleTtl, CommandLimits.DEFAULTS);
    }

    public ProcessingOptions withLimits(CommandLimits commandLimits) {
        return new ProcessingOptions(commandIdRetention, hotAggregates, hotAggregateIdleTtl, commandLimits);
    }

    public ProcessingOptions {
        Objects.requireNonNull(limits, "limits");
        Objects.requireNonNull(commandIdRetention, "commandIdRetention");
        Objects.requireNonNull(hotAggregateIdleTtl, "hotAggregateIdleTtl");
        if (commandIdRetention.toMillis() < 1) {
            throw new IllegalArgumentException("commandIdRetention must be at least 1 ms, was " + commandIdRetention);
        }
        if (hotAggregates < 0) {
            throw new IllegalArgumentException("hotAggregates must be 0 or more, was " + hotAggregates);
        }
        if (hotAggregateIdleTtl.isNegative() || hotAggregateIdleTtl.isZero()) {
            throw new IllegalArgumentException("hotAggregateIdleTtl must be positive, was " + hotAggregateIdleTtl);
        }
    }
}
