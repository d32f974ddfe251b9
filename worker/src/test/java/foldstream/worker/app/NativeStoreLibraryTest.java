package foldstream.worker.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rocksdb.Options;
import org.rocksdb.RocksDB;

class NativeStoreLibraryTest {

    @Test
    void aStoreOpensWhileTheLibraryLoadsInTheBackground(@TempDir Path dir) throws Exception {
        // As in a worker's start: the background load may still be running when Kafka Streams opens the first store.
        NativeStoreLibrary.loadInBackground();
        try (Options options = new Options().setCreateIfMissing(true);
             RocksDB db = RocksDB.open(options, dir.toString())) {
            db.put("k".getBytes(), "v".getBytes());
            assertThat(db.get("k".getBytes())).isEqualTo("v".getBytes());
        }
        NativeStoreLibrary.loadInBackground();
    }
}
