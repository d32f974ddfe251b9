package foldstream.worker.runtime;

import foldstream.protocol.SnapshotMeta;

/**
 * An aggregate's state at a version, with gen_aggregate's meta (created and updated times, the last
 * command id). Version 0 is an aggregate that does not exist yet: its state is the initial state and
 * it has no meta.
 */
public record Snapshot<S>(long version, S state, SnapshotMeta meta) {

    public static <S> Snapshot<S> initial(S state) {
        return new Snapshot<>(0L, state, null);
    }

    public boolean exists() {
        return version > 0;
    }
}
