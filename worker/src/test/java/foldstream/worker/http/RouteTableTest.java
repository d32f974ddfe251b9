package foldstream.worker.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RouteTableTest {

    private static final Endpoint NOTHING = Endpoint.sync(call -> Reply.ok(Map.of()));
    private static final RouteTable ROUTES = RouteTable.builder()
            .get("/health", Need.probe(), NOTHING)
            .get("/aggregates/{type}/{id}", Need.read("type"), NOTHING)
            .post("/aggregates/{type}/{id}/commands/{command}", Need.send("type"), NOTHING)
            .build();

    @Test
    void pathParametersAreDecodedSegmentByOneAPlusStaysAPlus() {
        RouteTable.Match match = ROUTES.match("GET", RouteTable.segments("/aggregates/ex_users/ann+1%40example.com%2Fhome/", true));

        assertThat(match).isInstanceOf(RouteTable.Match.Found.class);
        assertThat(((RouteTable.Match.Found) match).parameters())
                .isEqualTo(Map.of("type", "ex_users", "id", "ann+1@example.com/home"));
    }

    @Test
    void anotherMethodOnAKnownPathIsNotANewPath() {
        assertThat(ROUTES.match("POST", List.of("health"))).isInstanceOf(RouteTable.Match.WrongMethod.class);
        assertThat(ROUTES.match("GET", List.of("aggregates", "ex_users"))).isInstanceOf(RouteTable.Match.None.class);
        assertThat(ROUTES.describe()).isEqualTo("GET /aggregates/{type}/{id}, GET /health, POST /aggregates/{type}/{id}/commands/{command}");
    }

    @Test
    void moreRoutesAreOneLineEach() {
        RouteTable more = ROUTES.toBuilder().addAll(List.of(Route.get("/metrics", Need.ops(), NOTHING))).build();

        assertThat(more.match("GET", List.of("metrics"))).isInstanceOf(RouteTable.Match.Found.class);
        assertThat(more.routes()).hasSize(4);
    }
}
