package foldstream.worker.process.runtime;

/**
 * Headers Foldstream adds to the records of a process's repartition topic (internal, not part of the
 * public contract): what the record is, and for events, the route and the original key.
 */
final class RoutedInput {

    static final String KIND = "foldstream-process-input";
    static final String EVENT = "event";
    static final String RESULT = "result";
    static final String ROUTE = "foldstream-process-route";
    static final String START = "start";
    static final String CONTINUE = "continue";
    static final String SOURCE_KEY = "foldstream-process-source-key";
    static final String SOURCE_TOPIC = "foldstream-process-source-topic";
    /** Which of the events a stored event stands for today (an upcaster may split one into several). */
    static final String EVENT_INDEX = "foldstream-process-event-index";

    private RoutedInput() {
    }
}
