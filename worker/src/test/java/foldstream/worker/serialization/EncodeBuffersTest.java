package foldstream.worker.serialization;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import foldstream.protocol.CommandResult;
import foldstream.protocol.Outcome;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.time.Instant;
import java.util.List;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DatumWriter;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificDatumWriter;
import org.junit.jupiter.api.Test;

class EncodeBuffersTest {

    private static final byte[] HEADER = {0, 0, 0, 0, 7};
    private final DatumWriter<CommandResult> writer = new SpecificDatumWriter<>(CommandResult.class);
    private final EncodeBuffers buffers = new EncodeBuffers();

    @Test
    void writesTheHeaderThenTheRecordAsAvroBinary() throws IOException {
        CommandResult result = result("short message");
        assertThat(buffers.write(HEADER, result, writer)).isEqualTo(plainly(result));
    }

    @Test
    void eachRecordGetsItsOwnBytesWhateverCameBefore() throws IOException {
        CommandResult large = result("x".repeat(EncodeBuffers.KEPT_BYTES * 2)); // grows the buffer past what a thread keeps
        CommandResult small = result("short");
        byte[] first = buffers.write(HEADER, large, writer);
        byte[] second = buffers.write(HEADER, small, writer);
        byte[] third = buffers.write(HEADER, small, writer);
        assertThat(first).isEqualTo(plainly(large));
        assertThat(second).isEqualTo(plainly(small)).isEqualTo(third).isNotSameAs(third);
    }

    @Test
    void aRecordThatCannotBeWrittenLeavesNothingForTheNext() throws IOException {
        CommandResult broken = result("half written");
        broken.setOutcome(null); // a required enum: the writer fails after the fields before it
        assertThatThrownBy(() -> buffers.write(HEADER, broken, writer)).isInstanceOf(RuntimeException.class);
        CommandResult next = result("next");
        assertThat(buffers.write(HEADER, next, writer)).isEqualTo(plainly(next));
    }

    private byte[] plainly(CommandResult result) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(HEADER);
        BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(out, null);
        writer.write(result, encoder);
        encoder.flush();
        return out.toByteArray();
    }

    private static CommandResult result(String message) {
        return new CommandResult("cmd-1", "ex_accounts", "acc-1", Outcome.REJECTED, 3L, 0, "CODE", message, List.of(),
                Instant.ofEpochMilli(1_700_000_000_000L));
    }
}
