package foldstream.ops.stack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KafkaBrokerTest {

    @Test
    void startsAServingNodeAndKeepsItsDataAcrossARestart(@TempDir Path data) throws Exception {
        KafkaBroker.Settings settings = KafkaBroker.Settings.local(data).withFreePorts();
        try (KafkaBroker broker = new KafkaBroker(settings)) {
            broker.start();
            assertThat(broker.bootstrapServers()).startsWith("127.0.0.1:");
            try (Admin admin = Admin.create(Map.of("bootstrap.servers", broker.bootstrapServers()))) {
                assertThat(admin.describeCluster().nodes().get(10, TimeUnit.SECONDS)).hasSize(1);
                admin.createTopics(List.of(new NewTopic("kept", 2, (short) 1))).all().get(10, TimeUnit.SECONDS);
            }
        }
        try (KafkaBroker again = new KafkaBroker(settings)) {
            again.start();
            try (Admin admin = Admin.create(Map.of("bootstrap.servers", again.bootstrapServers()))) {
                assertThat(admin.listTopics().names().get(10, TimeUnit.SECONDS)).contains("kept");
            }
        }
    }

    @Test
    void aTakenPortIsRefusedNamingIt(@TempDir Path data) throws Exception {
        try (java.net.ServerSocket taken = new java.net.ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
            KafkaBroker broker = new KafkaBroker(KafkaBroker.Settings.local(data).withPorts(taken.getLocalPort(), 0));
            assertThatThrownBy(broker::start)
                    .isInstanceOf(PortInUseException.class)
                    .hasMessageContaining("the broker port 127.0.0.1:" + taken.getLocalPort() + " is already in use");
        }
    }
}
