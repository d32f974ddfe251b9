package foldstream.worker.serialization;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import foldstream.examples.users.ProfileSet;
import foldstream.examples.users.UserCreated;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.Test;

class WireFormatConfigTest {

    @Test
    void readsConfluentsRegistryKeysAndFoldstreamsOwn() {
        WireFormatConfig config = WireFormatConfig.from(Map.of(
                "schema.registry.url", "https://a.example:8081/, https://b.example:8081",
                "basic.auth.credentials.source", "USER_INFO",
                "basic.auth.user.info", "alice:s3cret",
                "schema.registry.ssl.truststore.location", "/etc/registry/truststore.p12",
                "schema.registry.ssl.truststore.password", "changeit",
                "schema.registry.ssl.truststore.type", "PKCS12",
                "auto.register.schemas", "false",
                "foldstream.subject.strategy", "topic-record-name",
                "foldstream.reader.types", "foldstream.examples.users.UserCreated, foldstream.examples.users.ProfileSet",
                "foldstream.registry.max.retries", 5));

        assertThat(config.registry().baseUrls()).containsExactly(URI.create("https://a.example:8081"), URI.create("https://b.example:8081"));
        assertThat(config.registry().basicAuthUserInfo()).isEqualTo("alice:s3cret");
        assertThat(config.registry().trustStore())
                .isEqualTo(new RegistryClientSettings.TrustStore(Path.of("/etc/registry/truststore.p12"), "changeit", "PKCS12"));
        assertThat(config.registry().maxRetries()).isEqualTo(5);
        assertThat(config.autoRegister()).isFalse();
        assertThat(config.strategyFor("x-results")).isEqualTo(SubjectNameStrategy.TOPIC_RECORD_NAME);
        assertThat(config.readerTypes()).containsExactly(UserCreated.class, ProfileSet.class);
    }

    @Test
    void defaultsToAutoRegistrationAndTheContractsStrategyPerTopic() {
        WireFormatConfig config = WireFormatConfig.from(Map.of("schema.registry.url", "http://localhost:8081", "bootstrap.servers", "x:9092"));

        assertThat(config.autoRegister()).isTrue();
        assertThat(config.strategyFor("ex_users-commands")).isEqualTo(SubjectNameStrategy.TOPIC_RECORD_NAME);
        assertThat(config.strategyFor("ex_users-events")).isEqualTo(SubjectNameStrategy.TOPIC_RECORD_NAME);
        assertThat(config.strategyFor("ex_users-results")).isEqualTo(SubjectNameStrategy.TOPIC_NAME);
        assertThat(config.strategyFor("ex_users-state")).isEqualTo(SubjectNameStrategy.TOPIC_NAME);
        assertThat(config.registry().maxRetries()).isEqualTo(RegistryClientSettings.DEFAULT_MAX_RETRIES);
        assertThat(config.registry().requestTimeout()).isEqualTo(RegistryClientSettings.DEFAULT_REQUEST_TIMEOUT);
    }

    @Test
    void refusesMissingOrBadSettingsNamingTheKey() {
        assertThatThrownBy(() -> WireFormatConfig.from(Map.of())).isInstanceOf(ConfigException.class).hasMessageContaining("schema.registry.url");
        assertThatThrownBy(() -> WireFormatConfig.from(Map.of("schema.registry.url", "localhost:8081")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("http://");
        assertThatThrownBy(() -> WireFormatConfig.from(Map.of("schema.registry.url", "http://r", "foldstream.subject.strategy", "record-name")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("foldstream.subject.strategy");
        assertThatThrownBy(() -> WireFormatConfig.from(Map.of("schema.registry.url", "http://r", "foldstream.reader.types", "no.such.Type")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("no.such.Type");
        assertThatThrownBy(() -> WireFormatConfig.from(Map.of("schema.registry.url", "http://r", "auto.register.schemas", "yes")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("auto.register.schemas");
    }

    @Test
    void readsCredentialsFromTheUrlBearerTokensAndClientCertificatesAsConfluentsClientsDo() {
        RegistryClientSettings fromUrl = WireFormatConfig.registryClient(Map.of(
                "schema.registry.url", "https://ci:p%40ss@a.example:8081/ccompat,https://b.example:8081",
                "basic.auth.credentials.source", "URL"));
        assertThat(fromUrl.basicAuthUserInfo()).isEqualTo("ci:p@ss");
        assertThat(fromUrl.baseUrls()).as("the credentials travel as a header, not in the URL")
                .containsExactly(URI.create("https://a.example:8081/ccompat"), URI.create("https://b.example:8081"));

        RegistryClientSettings bearer = WireFormatConfig.registryClient(Map.of("schema.registry.url", "https://r",
                "bearer.auth.credentials.source", "STATIC_TOKEN", "bearer.auth.token", "tok-123",
                "schema.registry.ssl.keystore.location", "/etc/client.p12", "schema.registry.ssl.keystore.password", "kp",
                "schema.registry.ssl.keystore.type", "PKCS12"));
        assertThat(bearer.bearerToken()).isEqualTo("tok-123");
        assertThat(bearer.basicAuthUserInfo()).isNull();
        assertThat(bearer.keyStore()).isEqualTo(new RegistryClientSettings.TrustStore(Path.of("/etc/client.p12"), "kp", "PKCS12"));
        assertThat(bearer.toString()).doesNotContain("tok-123").doesNotContain("kp,");

        assertThatThrownBy(() -> WireFormatConfig.registryClient(Map.of("schema.registry.url", "https://r",
                "basic.auth.user.info", "a:b", "bearer.auth.token", "tok-123")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("exclude each other").hasMessageNotContaining("tok-123");
        assertThatThrownBy(() -> WireFormatConfig.registryClient(Map.of("schema.registry.url", "https://r",
                "bearer.auth.credentials.source", "STATIC_TOKEN")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("bearer.auth.token");
        assertThatThrownBy(() -> WireFormatConfig.registryClient(Map.of("schema.registry.url", "https://r",
                "bearer.auth.credentials.source", "OAUTHBEARER")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("STATIC_TOKEN");
        assertThatThrownBy(() -> WireFormatConfig.registryClient(Map.of("schema.registry.url", "https://r",
                "basic.auth.credentials.source", "URL")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("user:password@");
        assertThatThrownBy(() -> WireFormatConfig.registryClient(Map.of("schema.registry.url", "https://r",
                "basic.auth.credentials.source", "SASL_INHERIT")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("USER_INFO or URL");
    }

    @Test
    void settingsNeverShowPasswords() {
        RegistryClientSettings settings = RegistryClientSettings.of("http://r").withBasicAuth("alice:s3cret")
                .withTrustStore(new RegistryClientSettings.TrustStore(Path.of("t.p12"), "changeit", "PKCS12"));

        assertThat(settings.toString()).contains("alice").doesNotContain("s3cret").doesNotContain("changeit");
    }

    @Test
    void backoffDoublesUpToItsCap() {
        RegistryClientSettings settings = RegistryClientSettings.of("http://r").withRetries(5, Duration.ofMillis(100), Duration.ofMillis(350));

        assertThat(List.of(settings.backoff(0), settings.backoff(1), settings.backoff(2), settings.backoff(3)))
                .containsExactly(Duration.ofMillis(100), Duration.ofMillis(200), Duration.ofMillis(350), Duration.ofMillis(350));
    }
}
