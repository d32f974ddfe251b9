package foldstream.worker.projection.runtime;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Optional;

/**
 * How far a projection got with one aggregate (at one key): the last version applied, the key its
 * events go to, and, once stopped, why. A stopped aggregate is not projected further until the
 * projection is rebuilt: later events of it would build on a missing one.
 */
public record Progress(long version, Optional<String> key, Optional<String> stopped) {

    public static final Progress NONE = new Progress(0, Optional.empty(), Optional.empty());

    public Progress at(long next) {
        return new Progress(next, key, stopped);
    }

    public Progress keyedTo(String newKey) {
        return new Progress(version, Optional.of(newKey), stopped);
    }

    public Progress stop(String reason) {
        // DataOutput's UTF limit is 64 KiB; the start of a reason names the record.
        return new Progress(version, key, Optional.of(reason.length() > 4000 ? reason.substring(0, 4000) + "..." : reason));
    }

    /** Why a projection stops an aggregate at an event above this progress's version + 1. */
    public String gap(String projectionId, foldstream.worker.projection.EventMeta meta) {
        return "projection " + projectionId + " stopped " + meta.aggregateType() + " '" + meta.aggregateId() + "': version "
                + meta.version() + " at " + meta.source() + " follows version " + version + " (a gap: version " + (version + 1)
                + " is missing)";
    }

    public byte[] encode() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeByte(1);
            out.writeLong(version);
            out.writeUTF(key.orElse(""));
            out.writeBoolean(stopped.isPresent());
            out.writeUTF(stopped.orElse(""));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    public static Progress decode(byte[] bytes) {
        if (bytes == null) {
            return NONE;
        }
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes))) {
            in.readByte();
            long version = in.readLong();
            String key = in.readUTF();
            boolean stopped = in.readBoolean();
            String reason = in.readUTF();
            return new Progress(version, key.isEmpty() ? Optional.empty() : Optional.of(key),
                    stopped ? Optional.of(reason) : Optional.empty());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
