package foldstream.ops;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.core.status.Status;
import ch.qos.logback.core.status.StatusUtil;
import java.net.URL;
import org.junit.jupiter.api.Test;

/**
 * The ops tool's logback.xml (for its JVMs that do not configure logging in code: the bench's
 * children, JMH's forks, the registry server) loads without an error, with Kafka at WARN.
 */
class OpsLoggingTest {

    @Test
    void theToolsLogbackXmlLoadsCleanlyWithKafkaAtWarnAndFoldstreamAtInfo() throws Exception {
        URL config = OpsLoggingTest.class.getResource("/logback.xml");
        assertThat(config).isNotNull();
        LoggerContext context = new LoggerContext();
        JoranConfigurator configurator = new JoranConfigurator();
        configurator.setContext(context);
        configurator.doConfigure(config);

        assertThat(new StatusUtil(context).getHighestLevel(0)).as(context.getStatusManager().getCopyOfStatusList().toString())
                .isLessThan(Status.WARN);
        assertThat(context.getLogger("org.apache.kafka.clients.NetworkClient").getEffectiveLevel()).isEqualTo(Level.WARN);
        assertThat(context.getLogger("foldstream.worker.app.FoldstreamWorker").getEffectiveLevel()).isEqualTo(Level.INFO);
        context.stop();
    }
}
