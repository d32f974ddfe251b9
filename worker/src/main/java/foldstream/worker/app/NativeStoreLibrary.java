package foldstream.worker.app;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Loads RocksDB's native library on a thread of its own while the worker's start waits on the
 * registry and the broker. Left to itself, Kafka Streams loads it on the stream thread when the first
 * task opens its first store: RocksDB then extracts a 15 MB library from its jar, runs {@code ldd}
 * in a shell to tell glibc from musl, and links it, a quarter of a second and more of a fresh
 * instance's start spent before any store opens (docs/performance.md, start-up).
 *
 * <p>Loading twice is harmless: RocksDB loads once per JVM and makes a second caller wait for the
 * first. A failure here is only logged; Kafka Streams meets it again when it opens a store and
 * reports it there, as it did before.
 *
 * <pre>{@code
 * NativeStoreLibrary.loadInBackground();   // first thing in start(), before the checks
 * }</pre>
 */
final class NativeStoreLibrary {

    private static final Logger LOG = LoggerFactory.getLogger(NativeStoreLibrary.class);

    private NativeStoreLibrary() {
    }

    /** Starts loading on a daemon thread and returns at once. */
    static void loadInBackground() {
        Thread thread = new Thread(NativeStoreLibrary::load, "foldstream-rocksdb-load");
        thread.setDaemon(true);
        thread.start();
    }

    private static void load() {
        try {
            org.rocksdb.RocksDB.loadLibrary();
        } catch (RuntimeException | LinkageError e) {
            LOG.debug("RocksDB's native library did not load ahead of the stores; Kafka Streams tries again when it opens them: {}",
                    e.toString());
        }
    }
}
