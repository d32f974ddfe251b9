package foldstream.worker.runtime;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Decodes UTF-8 that must be valid: keys and contract headers. Java's {@code new String(bytes, UTF_8)}
 * replaces bad sequences with U+FFFD, so two different keys could land on one aggregate.
 */
final class StrictUtf8 {

    private final CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT);

    /** The text, or {@code null} when the bytes are not valid UTF-8. One instance per thread: decoders keep state. */
    String decode(byte[] bytes) {
        try {
            return decoder.decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }
}
