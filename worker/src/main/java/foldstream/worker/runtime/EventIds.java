package foldstream.worker.runtime;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.UUID;

/**
 * The {@code event-id} of an event: unique per event and the same on every reprocessing, the
 * name-based (version 3) UUID of the aggregate type, id and version, exactly as
 * {@link UUID#nameUUIDFromBytes} makes it. One digest per task instead of a provider lookup per event.
 * Not thread-safe: one per processor.
 */
final class EventIds {

    private final byte[] typePrefix;
    private final MessageDigest md5;

    EventIds(String aggregateType) {
        this.typePrefix = (aggregateType + '\u0000').getBytes(StandardCharsets.UTF_8);
        try {
            this.md5 = MessageDigest.getInstance("MD5");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has MD5", e);
        }
    }

    String of(String aggregateId, long version) {
        md5.update(typePrefix);
        md5.update((aggregateId + '\u0000' + version).getBytes(StandardCharsets.UTF_8));
        byte[] hash = md5.digest();
        hash[6] = (byte) ((hash[6] & 0x0f) | 0x30); // version 3
        hash[8] = (byte) ((hash[8] & 0x3f) | 0x80); // IETF variant
        ByteBuffer bytes = ByteBuffer.wrap(hash);
        return new UUID(bytes.getLong(), bytes.getLong()).toString();
    }
}
