package foldstream.worker.runtime;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Optional;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * The records of a task that arrived while its snapshots were being rebuilt, kept in order in a
 * changelogged store (so their input offsets may commit without losing them), and handed back once
 * the rebuild is done. The store also keeps the replay instruction being carried out, to answer
 * it when the replay ends, even after a crash. An embedded projection holds, the same way, the
 * records behind an event whose handler failed until its retry is done.
 *
 * <p>Two negative keys are reserved, outside the held range (0 and up): the replay instruction and
 * the epoch of the task's answered-command store ({@link AnswerEpochs}), which commits with every
 * task commit that remembered answers.
 */
public final class HeldCommands {

    /** A held record with the place it was read from. */
    public record Held(Record<byte[], byte[]> record, RecordMetadata where) {
    }

    private static final long REPLAY_KEY = -1;
    private static final long ANSWERS_EPOCH_KEY = -2;

    private final KeyValueStore<Long, byte[]> store;
    private long first = -1;
    private long nextKey = -1;

    public HeldCommands(KeyValueStore<Long, byte[]> store) {
        this.store = store;
    }

    public boolean isEmpty() {
        bounds();
        return first == nextKey;
    }

    public void add(Record<byte[], byte[]> record, RecordMetadata where) {
        bounds();
        store.put(nextKey++, encode(record, where));
    }

    /** The oldest held record, left in place. */
    public Optional<Held> peek() {
        return isEmpty() ? Optional.empty() : Optional.of(decode(store.get(first)));
    }

    /** Removes and returns the oldest held record (the keys run contiguously from the oldest to the newest). */
    public Optional<Held> poll() {
        if (isEmpty()) {
            return Optional.empty();
        }
        byte[] bytes = store.get(first);
        store.delete(first);
        first++;
        return Optional.of(decode(bytes));
    }

    /** The replay instruction being carried out. */
    void replaying(Record<byte[], byte[]> record, RecordMetadata where) {
        store.put(REPLAY_KEY, encode(record, where));
    }

    Optional<Held> replaying() {
        byte[] bytes = store.get(REPLAY_KEY);
        return bytes == null ? Optional.empty() : Optional.of(decode(bytes));
    }

    void replayDone() {
        store.delete(REPLAY_KEY);
    }

    /** The epoch of the answered-command store as last committed; null when none was written. */
    Long answersEpoch() {
        byte[] bytes = store.get(ANSWERS_EPOCH_KEY);
        return bytes == null ? null : java.nio.ByteBuffer.wrap(bytes).getLong();
    }

    void answersEpoch(long epoch) {
        store.put(ANSWERS_EPOCH_KEY, java.nio.ByteBuffer.allocate(Long.BYTES).putLong(epoch).array());
    }

    /** Finds the held range once per task: the keys run contiguously from the oldest to the newest. */
    private void bounds() {
        if (nextKey >= 0) {
            return;
        }
        first = 0;
        nextKey = 0;
        try (KeyValueIterator<Long, byte[]> it = store.range(0L, Long.MAX_VALUE)) {
            if (it.hasNext()) {
                first = it.next().key;
            }
        }
        try (KeyValueIterator<Long, byte[]> it = store.reverseRange(0L, Long.MAX_VALUE)) {
            nextKey = it.hasNext() ? it.next().key + 1 : first;
        }
    }

    private static byte[] encode(Record<byte[], byte[]> record, RecordMetadata where) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeByte(1);
            out.writeUTF(where.topic());
            out.writeInt(where.partition());
            out.writeLong(where.offset());
            out.writeLong(record.timestamp());
            writeBytes(out, record.key());
            writeBytes(out, record.value());
            Header[] headers = record.headers().toArray();
            out.writeInt(headers.length);
            for (Header header : headers) {
                writeBytes(out, header.key().getBytes(java.nio.charset.StandardCharsets.UTF_8));
                writeBytes(out, header.value());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    private static Held decode(byte[] bytes) {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes))) {
            if (in.readByte() != 1) {
                throw new IllegalStateException("held record in an unknown format");
            }
            String topic = in.readUTF();
            int partition = in.readInt();
            long offset = in.readLong();
            long timestamp = in.readLong();
            byte[] key = readBytes(in);
            byte[] value = readBytes(in);
            int count = in.readInt();
            RecordHeaders headers = new RecordHeaders();
            for (int i = 0; i < count; i++) {
                headers.add(new String(readBytes(in), java.nio.charset.StandardCharsets.UTF_8), readBytes(in));
            }
            return new Held(new Record<>(key, value, timestamp, headers), new Place(topic, partition, offset));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void writeBytes(DataOutputStream out, byte[] value) throws IOException {
        if (value == null) {
            out.writeInt(-1);
        } else {
            out.writeInt(value.length);
            out.write(value);
        }
    }

    private static byte[] readBytes(DataInputStream in) throws IOException {
        int length = in.readInt();
        return length < 0 ? null : in.readNBytes(length);
    }

    /** Where a held record was read. */
    private record Place(String topic, int partition, long offset) implements RecordMetadata {
    }
}
