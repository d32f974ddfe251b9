package foldstream.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import foldstream.worker.serialization.HttpSchemaRegistryClient;
import foldstream.worker.serialization.RegistryClientSettings;
import foldstream.worker.serialization.SchemaRegistryClient;
import foldstream.worker.serialization.SchemaRegistryException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.apache.avro.Schema;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Bad input to the real registry, seen by the HTTP client as exceptions with Confluent's codes, and on the wire as Confluent's error bodies. */
@ExtendWith(KafkaStack.class)
class RegistryClientErrorsIT {

    private static String url;
    private static SchemaRegistryClient registry;

    @BeforeAll
    static void connect(KafkaStack.Endpoints stack) {
        url = stack.registryUrl();
        registry = new HttpSchemaRegistryClient(RegistryClientSettings.of(url));
    }

    @AfterAll
    static void disconnect() {
        registry.close();
    }

    @Test
    void anInvalidSchemaIsRefusedWith42201() {
        // Avro only builds this with default validation off; the registry validates and refuses it.
        Schema badDefault = new Schema.Parser().setValidateDefaults(false).parse(
                "{\"type\": \"record\", \"name\": \"Bad\", \"fields\": [{\"name\": \"n\", \"type\": \"int\", \"default\": \"seven\"}]}");

        assertThatThrownBy(() -> registry.register("errors-bad", badDefault))
                .isInstanceOfSatisfying(SchemaRegistryException.class, e -> {
                    assertThat(e.errorCode()).isEqualTo(SchemaRegistryException.INVALID_SCHEMA);
                    assertThat(e.subject()).isEqualTo("errors-bad");
                });
    }

    @Test
    void anUnknownIdIs40403WithoutASubject() {
        assertThatThrownBy(() -> registry.schemaById(987_654))
                .isInstanceOfSatisfying(SchemaRegistryException.class, e -> {
                    assertThat(e.errorCode()).isEqualTo(SchemaRegistryException.SCHEMA_NOT_FOUND);
                    assertThat(e.subject()).isNull();
                })
                .hasMessageContaining("987654");
    }

    @Test
    void anUnknownSubjectIs40401NamingIt() {
        assertThatThrownBy(() -> registry.latest("errors-no-such-subject"))
                .isInstanceOfSatisfying(SchemaRegistryException.class, e -> {
                    assertThat(e.errorCode()).isEqualTo(SchemaRegistryException.SUBJECT_NOT_FOUND);
                    assertThat(e.subject()).isEqualTo("errors-no-such-subject");
                })
                .hasMessageContaining("errors-no-such-subject");
    }

    @Test
    void onTheWireErrorsAreConfluentsJsonBodies() throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        HttpResponse<String> notJson = http.send(HttpRequest.newBuilder(URI.create(url + "/subjects/errors-raw/versions"))
                .header("Content-Type", HttpSchemaRegistryClient.CONTENT_TYPE)
                .POST(HttpRequest.BodyPublishers.ofString("{\"schema\": \"{not a schema\"}")).build(), HttpResponse.BodyHandlers.ofString());
        HttpResponse<String> noVersion = http.send(HttpRequest.newBuilder(URI.create(url + "/subjects/errors-raw/versions/3")).GET().build(),
                HttpResponse.BodyHandlers.ofString());

        JsonNode invalid = new ObjectMapper().readTree(notJson.body());
        assertThat(notJson.statusCode()).isEqualTo(422);
        assertThat(notJson.headers().firstValue("Content-Type")).contains(HttpSchemaRegistryClient.CONTENT_TYPE);
        assertThat(invalid.path("error_code").asInt()).isEqualTo(42201);
        assertThat(invalid.path("message").asText()).isNotBlank();
        assertThat(noVersion.statusCode()).isEqualTo(404);
        assertThat(new ObjectMapper().readTree(noVersion.body()).path("error_code").asInt()).isEqualTo(40401);
    }
}
